package io.mqttboot.core.engine;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pure logic of {@link HiveMqEngines}.
 */
class HiveMqEnginesTests {

	@ParameterizedTest(name = "keep-alive {0} s -> announce {1} s")
	@CsvSource({ "0,0", "1,1", "2,1", "3,1", "4,2", "5,3", "10,7", "30,22", "60,44", "65535,49150" })
	void announcedKeepAliveShouldLetTheClientNoticeADeadLinkWithinOneAndAHalfKeepAlives(long configured,
			int announced) {
		assertThat(HiveMqEngines.announcedKeepAlive(Duration.ofSeconds(configured))).isEqualTo(announced);
		if (configured >= 2) {
			// HiveMQ pings after k - 0.1 s of silence and gives up k - 0.1 s later.
			double worstCaseDetection = 2 * (announced - 0.1);
			assertThat(worstCaseDetection).isLessThanOrEqualTo(1.5 * configured - 1);
		}
	}

}
