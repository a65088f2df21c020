package io.mqttboot.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link TopicTrie}.
 */
class TopicTrieTests {

	@ParameterizedTest(name = "''{0}'' matches ''{1}'': {2}")
	@MethodSource("io.mqttboot.support.MqttTopicsTests#matchingCases")
	void matchShouldFollowTheSpecification(String filter, String topicName, boolean expected) {
		Listener listener = new Listener(filter);
		TopicTrie<Listener> trie = TopicTrie.<Listener>builder().add(filter, listener).build();
		assertThat(trie.match(topicName)).isEqualTo(expected ? List.of(listener) : List.of());
		List<Listener> visited = new ArrayList<>();
		trie.forEachMatch(topicName, visited::add);
		assertThat(visited).isEqualTo(expected ? List.of(listener) : List.of());
	}

	@Test
	void matchShouldReturnTheValuesOfAllMatchingFilters() {
		Listener exact = new Listener("exact");
		Listener single = new Listener("single");
		Listener multi = new Listener("multi");
		Listener all = new Listener("all");
		Listener other = new Listener("other");
		TopicTrie<Listener> trie = TopicTrie.<Listener>builder()
			.add("sensors/kitchen/temp", exact)
			.add("sensors/+/temp", single)
			.add("sensors/#", multi)
			.add("#", all)
			.add("sensors/+/humidity", other)
			.build();
		assertThat(trie.match("sensors/kitchen/temp")).containsExactlyInAnyOrder(exact, single, multi, all);
		assertThat(trie.match("sensors/hall/temp")).containsExactlyInAnyOrder(single, multi, all);
		assertThat(trie.match("sensors")).containsExactlyInAnyOrder(multi, all);
		assertThat(trie.match("$SYS/uptime")).isEmpty();
	}

	@Test
	void matchWhenValueWasAddedUnderOverlappingFiltersShouldReportItOnce() {
		Listener listener = new Listener("listener");
		TopicTrie<Listener> trie = TopicTrie.<Listener>builder()
			.add("sensors/#", listener)
			.add("sensors/+/temp", listener)
			.add("sensors/kitchen/temp", listener)
			.add("+/kitchen/#", listener)
			.add("#", listener)
			.build();
		assertThat(trie.size()).isEqualTo(5);
		assertThat(trie.match("sensors/kitchen/temp")).containsExactly(listener);
		List<Listener> visited = new ArrayList<>();
		trie.forEachMatch("sensors/kitchen/temp", visited::add);
		assertThat(visited).containsExactly(listener);
	}

	@Test
	void matchWhenValueWasAddedTwiceUnderTheSameFilterShouldReportItOnce() {
		Listener listener = new Listener("listener");
		TopicTrie<Listener> trie = TopicTrie.<Listener>builder().add("a/b", listener).add("a/b", listener).build();
		assertThat(trie.match("a/b")).containsExactly(listener);
	}

	@Test
	void matchWhenSharedAndPlainFiltersOverlapShouldReportTheValueOnce() {
		Listener listener = new Listener("listener");
		TopicTrie<Listener> trie = TopicTrie.<Listener>builder()
			.add("$share/g/jobs/+", listener)
			.add("jobs/#", listener)
			.build();
		assertThat(trie.match("jobs/1")).containsExactly(listener);
	}

	@Test
	void matchShouldDeduplicateByIdentityNotByEquals() {
		EqualListener first = new EqualListener("same");
		EqualListener second = new EqualListener("same");
		assertThat(first).isEqualTo(second);
		TopicTrie<EqualListener> trie = TopicTrie.<EqualListener>builder()
			.add("a/#", first)
			.add("a/+", second)
			.add("a/b", first)
			.build();
		List<EqualListener> matches = trie.match("a/b");
		assertThat(matches).hasSize(2);
		assertThat(matches).anySatisfy((match) -> assertThat(match).isSameAs(first));
		assertThat(matches).anySatisfy((match) -> assertThat(match).isSameAs(second));
	}

	@Test
	void matchWhenFilterIsSharedShouldMatchOnTheFilterAfterTheSharePrefix() {
		Listener listener = new Listener("listener");
		TopicTrie<Listener> trie = TopicTrie.<Listener>builder().add("$share/workers/jobs/+", listener).build();
		assertThat(trie.match("jobs/42")).containsExactly(listener);
		assertThat(trie.match("$share/workers/jobs/42")).isEmpty();
	}

	@Test
	void matchWhenTopicStartsWithDollarShouldIgnoreOnlyLeadingWildcards() {
		Listener all = new Listener("#");
		Listener anyX = new Listener("+/x");
		Listener sys = new Listener("$SYS/#");
		Listener sysX = new Listener("$SYS/+");
		TopicTrie<Listener> trie = TopicTrie.<Listener>builder()
			.add("#", all)
			.add("+/x", anyX)
			.add("$SYS/#", sys)
			.add("$SYS/+", sysX)
			.build();
		assertThat(trie.match("$SYS/x")).containsExactlyInAnyOrder(sys, sysX);
		assertThat(trie.match("$SYS")).containsExactly(sys);
		assertThat(trie.match("SYS/x")).containsExactlyInAnyOrder(all, anyX);
	}

	@Test
	void matchWhenTopicHasManyLevelsShouldWork() {
		Listener listener = new Listener("listener");
		TopicTrie<Listener> trie = TopicTrie.<Listener>builder().add("a/#", listener).build();
		assertThat(trie.match("a" + "/x".repeat(10_000))).containsExactly(listener);
		assertThat(trie.match("/".repeat(10_000))).isEmpty();
	}

	@Test
	void matchShouldReturnUnmodifiableList() {
		TopicTrie<Listener> trie = TopicTrie.<Listener>builder().add("a", new Listener("a")).build();
		List<Listener> matches = trie.match("a");
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(matches::clear);
	}

	@Test
	void emptyTrieShouldMatchNothing() {
		TopicTrie<Listener> trie = TopicTrie.<Listener>builder().build();
		assertThat(trie.isEmpty()).isTrue();
		assertThat(trie.size()).isZero();
		assertThat(trie.match("a/b")).isEmpty();
		trie.forEachMatch("a/b", (listener) -> {
			throw new AssertionError("Unexpected match " + listener);
		});
	}

	@Test
	void sizeShouldCountEveryEntry() {
		Listener listener = new Listener("listener");
		TopicTrie<Listener> trie = TopicTrie.<Listener>builder()
			.add("a", listener)
			.add("a", new Listener("other"))
			.add("$share/g/a", listener)
			.build();
		assertThat(trie.size()).isEqualTo(3);
		assertThat(trie.isEmpty()).isFalse();
	}

	@Test
	void addWhenFilterIsInvalidShouldThrow() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TopicTrie.<Listener>builder().add("a/#/b", new Listener("x")))
			.withMessage("Invalid topic filter 'a/#/b': '#' must be the last level [MQTT-4.7.1-2]");
	}

	@Test
	void addWhenValueIsNullShouldThrow() {
		assertThatIllegalArgumentException().isThrownBy(() -> TopicTrie.<Listener>builder().add("a", null))
			.withMessage("Value for topic filter 'a' must not be null");
	}

	@Test
	void builderShouldNotChangeTriesItAlreadyBuilt() {
		Listener first = new Listener("first");
		Listener second = new Listener("second");
		TopicTrie.Builder<Listener> builder = TopicTrie.<Listener>builder().add("a/+", first);
		TopicTrie<Listener> before = builder.build();
		TopicTrie<Listener> after = builder.add("a/#", second).add("a/b", first).build();
		assertThat(before.match("a/b")).containsExactly(first);
		assertThat(before.size()).isOne();
		assertThat(after.match("a/b")).containsExactlyInAnyOrder(first, second);
		assertThat(after.size()).isEqualTo(3);
	}

	/**
	 * The trie must agree with the simple reference matcher on every pair of a few thousand
	 * random filters and topic names built from a small alphabet of levels, so that overlaps,
	 * empty levels, '$' topics and shared subscriptions all occur often.
	 */
	@Test
	void matchShouldAgreeWithReferenceMatcherOnRandomFiltersAndTopics() {
		Random random = new Random(0x4d515454L);
		List<Listener> pool = new ArrayList<>();
		for (int i = 0; i < 1_500; i++) {
			pool.add(new Listener("listener" + i));
		}
		List<TopicFilter> filters = new ArrayList<>();
		List<Listener> values = new ArrayList<>();
		TopicTrie.Builder<Listener> builder = TopicTrie.builder();
		while (filters.size() < 2_000) {
			String filter = randomFilter(random);
			// fewer values than filters, so many values are added under several filters
			Listener value = pool.get(random.nextInt(pool.size()));
			filters.add(TopicFilter.of(filter));
			values.add(value);
			builder.add(filter, value);
		}
		TopicTrie<Listener> trie = builder.build();
		int topicsWithMatches = 0;
		int topicsWithRepeatedValues = 0;
		for (int t = 0; t < 5_000; t++) {
			String topicName = randomTopicName(random);
			Set<Listener> expected = identitySet();
			int matchingFilters = 0;
			for (int f = 0; f < filters.size(); f++) {
				if (filters.get(f).matches(topicName)) {
					expected.add(values.get(f));
					matchingFilters++;
				}
			}
			List<Listener> actual = trie.match(topicName);
			Set<Listener> actualSet = identitySet();
			actualSet.addAll(actual);
			assertThat(actual).as("duplicates for '%s'", topicName).hasSameSizeAs(actualSet);
			assertThat(actualSet).as("matches for '%s'", topicName).isEqualTo(expected);
			List<Listener> visited = new ArrayList<>();
			trie.forEachMatch(topicName, visited::add);
			assertThat(visited).as("forEachMatch for '%s'", topicName).containsExactlyElementsOf(actual);
			topicsWithMatches += expected.isEmpty() ? 0 : 1;
			topicsWithRepeatedValues += (matchingFilters > expected.size()) ? 1 : 0;
		}
		// guard against a generator that makes the comparison vacuous
		assertThat(topicsWithMatches).isBetween(1_000, 4_900);
		assertThat(topicsWithRepeatedValues).isGreaterThan(100);
	}

	private static String randomFilter(Random random) {
		String[] alphabet = { "a", "b", "c", "", "+", "+" };
		StringBuilder filter = new StringBuilder();
		if (random.nextInt(10) == 0) {
			filter.append("$share/g").append(random.nextInt(3)).append('/');
		}
		int levels = random.nextInt(4);
		for (int i = 0; i < levels; i++) {
			String level = (i == 0 && random.nextInt(8) == 0) ? "$SYS" : alphabet[random.nextInt(alphabet.length)];
			filter.append(level).append('/');
		}
		if (levels == 0 || random.nextInt(3) == 0) {
			filter.append('#');
		}
		else {
			String level = alphabet[random.nextInt(alphabet.length)];
			filter.append(level);
		}
		return filter.toString();
	}

	private static String randomTopicName(Random random) {
		String[] alphabet = { "a", "b", "c", "" };
		StringBuilder topicName = new StringBuilder();
		int levels = 1 + random.nextInt(5);
		for (int i = 0; i < levels; i++) {
			if (i > 0) {
				topicName.append('/');
			}
			if (i == 0 && random.nextInt(8) == 0) {
				topicName.append(random.nextBoolean() ? "$SYS" : "$");
			}
			else {
				topicName.append(alphabet[random.nextInt(alphabet.length)]);
			}
		}
		return topicName.isEmpty() ? "a" : topicName.toString();
	}

	private static Set<Listener> identitySet() {
		return Collections.newSetFromMap(new IdentityHashMap<>());
	}

	/**
	 * A value with identity equality, like a listener container.
	 */
	private static final class Listener {

		private final String name;

		Listener(String name) {
			this.name = name;
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

	/**
	 * A value whose instances can be equal without being the same.
	 */
	private record EqualListener(String name) {
	}

}
