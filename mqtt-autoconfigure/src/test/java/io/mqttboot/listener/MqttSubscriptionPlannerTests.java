package io.mqttboot.listener;

import java.util.Arrays;
import java.util.List;

import io.mqttboot.core.MqttSubscription;
import io.mqttboot.support.MqttTopics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MqttSubscriptionPlanner}.
 */
class MqttSubscriptionPlannerTests {

	/**
	 * Topic names to check generalisations against: every one either filter of a pair
	 * matches must also be matched by their generalisation.
	 */
	private static final List<String> TOPICS = List.of("a", "a/b", "a/c", "a/b/c", "a/c/c", "a/b/d", "a/x/y",
			"a/b/c/d", "a//b", "a/x/b", "foo", "foo/bar", "foo/bar/baz", "t/1/x", "t/2/y", "t/1/y", "t/3/z",
			"$SYS/x", "$SYS/y/z", "x", "b/x");

	@ParameterizedTest(name = "''{0}'' and ''{1}'' overlap: {2}")
	@CsvSource(delimiter = '|', textBlock = """
			a/b        | a/b       | true
			a/+/c      | a/b/+     | true
			a/#        | a/b       | true
			a/#        | a         | true
			foo/#      | foo       | true
			foo/+/#    | foo/bar   | true
			#          | a/b/c     | true
			+          | a         | true
			a//b       | a/+/b     | true
			$SYS/#     | $SYS/x    | true
			$SYS/+     | $SYS/x    | true
			#          | $SYS/x    | false
			+/x        | $SYS/x    | false
			+/#        | $SYS      | false
			a/b        | a/c       | false
			a/+        | a/b/c     | false
			a/b/c      | a/b       | false
			+          | a/b       | false
			foo/+      | foo       | false
			a/+/c      | a/b/d     | false
			""")
	void overlapShouldBeTrueExactlyWhenSomeTopicMatchesBothFilters(String a, String b, boolean expected) {
		assertThat(MqttSubscriptionPlanner.overlap(a, b)).isEqualTo(expected);
		assertThat(MqttSubscriptionPlanner.overlap(b, a)).as("symmetric").isEqualTo(expected);
	}

	@ParameterizedTest(name = "''{0}'' + ''{1}'' -> ''{2}''")
	@CsvSource(delimiter = '|', textBlock = """
			a/b        | a/b       | a/b
			a/+/c      | a/b/+     | a/+/+
			a/#        | a/b       | a/#
			foo/#      | foo       | foo/#
			a/+        | a/b/#     | a/+/#
			a/b/c      | a/+/c     | a/+/c
			t/1/x      | t/+/x     | t/+/x
			$SYS/x     | $SYS/+    | $SYS/+
			#          | a/b       | #
			""")
	void generalizeShouldReturnTheNarrowestFilterCoveringBoth(String a, String b, String expected) {
		assertThat(MqttSubscriptionPlanner.generalize(a, b)).isEqualTo(expected);
		assertThat(MqttSubscriptionPlanner.generalize(b, a)).as("symmetric").isEqualTo(expected);
		for (String topic : TOPICS) {
			if (MqttTopics.matches(a, topic) || MqttTopics.matches(b, topic)) {
				assertThat(MqttTopics.matches(expected, topic)).as("'%s' covers '%s'", expected, topic).isTrue();
			}
		}
	}

	/**
	 * Rows are {@code requested -> planned}, each a space-separated list of
	 * {@code filter:qos}.
	 */
	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', textBlock = """
			a/b:0 a/b:2 a/b:1                     | a/b:2
			a/+/c:1 a/b/+:0                       | a/+/+:1
			a/#:0 a/b:2                           | a/#:2
			a/b:1 a/#:0                           | a/#:1
			foo/#:1 foo:2                         | foo/#:2
			#:0 $SYS/x:1                          | #:0 $SYS/x:1
			+/x:1 $SYS/x:1                        | +/x:1 $SYS/x:1
			a/b:1 c/d:0 a/c:2                     | a/b:1 c/d:0 a/c:2
			$share/g/a/#:1 a/#:0 $share/h/a/b:2   | a/#:0 $share/g/a/#:1 $share/h/a/b:2
			$share/g/a/#:0 $share/g/a/#:2         | $share/g/a/#:2
			$share/g/a/+/c:1 $share/g/a/b/+:1     | $share/g/a/+/c:1 $share/g/a/b/+:1
			t/1/+:0 t/+/x:1 t/2/y:2 u/v:0         | t/+/+:2 u/v:0
			p/1/a:0 p/2/b:0 p/+/c:1 p/#:2 q:1     | p/#:2 q:1
			""")
	void planShouldMergeOverlappingPlainFiltersUntilNoTwoOverlap(String requested, String planned) {
		List<MqttSubscription> plan = MqttSubscriptionPlanner.plan(subscriptions(requested));
		assertThat(plan).containsExactlyElementsOf(subscriptions(planned));
		List<MqttSubscription> plain = plan.stream()
			.filter((subscription) -> !subscription.filter().startsWith(MqttTopics.SHARE_PREFIX))
			.toList();
		for (int i = 0; i < plain.size(); i++) {
			for (int j = i + 1; j < plain.size(); j++) {
				assertThat(MqttSubscriptionPlanner.overlap(plain.get(i).filter(), plain.get(j).filter()))
					.as("'%s' and '%s' overlap", plain.get(i).filter(), plain.get(j).filter())
					.isFalse();
			}
		}
	}

	@Test
	void planShouldCombineOptionsSoThatTheMergedSubscriptionDeliversWhatEitherAskedFor() {
		List<MqttSubscription> plan = MqttSubscriptionPlanner.plan(List.of(new MqttSubscription("a/#", 0, true, false, 2),
				new MqttSubscription("a/b", 1, false, true, 1)));
		assertThat(plan).containsExactly(new MqttSubscription("a/#", 1, false, true, 1));
	}

	@Test
	void planWhenNothingIsRequestedShouldBeEmpty() {
		assertThat(MqttSubscriptionPlanner.plan(List.of())).isEmpty();
	}

	private static List<MqttSubscription> subscriptions(String list) {
		return Arrays.stream(list.trim().split("\\s+")).map((entry) -> {
			int colon = entry.lastIndexOf(':');
			return MqttSubscription.of(entry.substring(0, colon), Integer.parseInt(entry.substring(colon + 1)));
		}).toList();
	}

	@Test
	void sharedOverlapsShouldNameSharedAndPlainFiltersThatOverlap() {
		List<MqttSubscription> subscriptions = List.of(MqttSubscription.of("$share/g/dup/#", 1),
				MqttSubscription.of("dup/x", 1), MqttSubscription.of("other/#", 1), MqttSubscription.of("$share/g/y", 1));
		assertThat(MqttSubscriptionPlanner.sharedOverlaps(subscriptions)).containsExactly("'$share/g/dup/#' and 'dup/x'");
	}

}
