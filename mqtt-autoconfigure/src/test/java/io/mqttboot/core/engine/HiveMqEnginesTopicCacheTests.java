package io.mqttboot.core.engine;

import com.hivemq.client.mqtt.datatypes.MqttTopic;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link HiveMqEngines.TopicCache}: HiveMQ topic objects reused per topic name, bounded.
 */
class HiveMqEnginesTopicCacheTests {

	@Test
	void equalNamesShouldGiveTheSameTopic() {
		HiveMqEngines.TopicCache cache = new HiveMqEngines.TopicCache(2);
		MqttTopic topic = cache.get("a/b");
		assertThat(topic.toString()).isEqualTo("a/b");
		assertThat(cache.get(new String("a/b"))).isSameAs(topic);
		assertThat(cache.get("a/c")).isNotSameAs(topic).hasToString("a/c");
		assertThat(cache.get("a/b")).isSameAs(topic);
		assertThat(cache.size()).isEqualTo(2);
	}

	@Test
	void fullCacheShouldBeClearedBeforeANewNameIsAdded() {
		HiveMqEngines.TopicCache cache = new HiveMqEngines.TopicCache(2);
		MqttTopic first = cache.get("t/1");
		cache.get("t/2");
		assertThat(cache.size()).isEqualTo(2);
		assertThat(cache.get("t/3")).hasToString("t/3");
		assertThat(cache.size()).isEqualTo(1);
		MqttTopic again = cache.get("t/1");
		assertThat(again).isNotSameAs(first).isEqualTo(first);
		assertThat(cache.size()).isEqualTo(2);
		for (int i = 0; i < 100; i++) {
			assertThat(cache.get("many/" + i)).hasToString("many/" + i);
			assertThat(cache.size()).isBetween(1, 2);
		}
	}

	@Test
	void invalidNameShouldBeRejectedAndNotCached() {
		HiveMqEngines.TopicCache cache = new HiveMqEngines.TopicCache(2);
		assertThatIllegalArgumentException().isThrownBy(() -> cache.get("a/+"));
		assertThatIllegalArgumentException().isThrownBy(() -> cache.get("a/+"));
		assertThat(cache.size()).isZero();
	}

}
