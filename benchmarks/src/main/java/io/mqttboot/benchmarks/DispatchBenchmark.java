package io.mqttboot.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.mqttboot.support.TopicFilter;
import io.mqttboot.support.TopicTrie;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * B4: the cost of finding the listeners of one incoming topic among N listener filters, with
 * the dispatcher's {@link TopicTrie} and with a linear scan over {@link TopicFilter#matches}.
 * <p>
 * The filters look like an application's: a quarter each of {@code site/<i>/sensor/+/temp},
 * {@code site/<i>/alarm/#}, {@code site/+/device/<i>/status} and {@code site/<i>/cmd/<i>}. The
 * topics cycle through 1,024 names: three quarters match one or two filters, a quarter matches
 * none, so both hits and misses are measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DispatchBenchmark {

	@Param({ "10", "100", "1000", "10000" })
	public int filters;

	private TopicTrie<Integer> trie;

	private TopicFilter[] linearFilters;

	private Integer[] linearValues;

	private String[] topics;

	private int next;

	@Setup(Level.Trial)
	public void setUp() {
		TopicTrie.Builder<Integer> builder = TopicTrie.builder();
		this.linearFilters = new TopicFilter[this.filters];
		this.linearValues = new Integer[this.filters];
		for (int i = 0; i < this.filters; i++) {
			String filter = filter(i);
			Integer value = i;
			builder.add(filter, value);
			this.linearFilters[i] = TopicFilter.of(filter);
			this.linearValues[i] = value;
		}
		this.trie = builder.build();
		SplittableRandom random = new SplittableRandom(42);
		this.topics = new String[1024];
		for (int i = 0; i < this.topics.length; i++) {
			int site = random.nextInt(this.filters);
			this.topics[i] = switch (i % 4) {
				case 0 -> "site/" + site + "/sensor/s" + random.nextInt(100) + "/temp";
				case 1 -> "site/" + site + "/alarm/zone/" + random.nextInt(10);
				case 2 -> "site/x" + random.nextInt(100) + "/device/" + site + "/status";
				default -> "site/" + site + "/unknown/" + random.nextInt(100);
			};
		}
	}

	static String filter(int i) {
		return switch (i % 4) {
			case 0 -> "site/" + i + "/sensor/+/temp";
			case 1 -> "site/" + i + "/alarm/#";
			case 2 -> "site/+/device/" + i + "/status";
			default -> "site/" + i + "/cmd/" + i;
		};
	}

	private String nextTopic() {
		String topic = this.topics[this.next];
		this.next = (this.next + 1) & (this.topics.length - 1);
		return topic;
	}

	@Benchmark
	public List<Integer> trie() {
		return this.trie.match(nextTopic());
	}

	@Benchmark
	public List<Integer> linear() {
		String topic = nextTopic();
		List<Integer> matches = new ArrayList<>(4);
		TopicFilter[] filters = this.linearFilters;
		for (int i = 0; i < filters.length; i++) {
			if (filters[i].matches(topic)) {
				matches.add(this.linearValues[i]);
			}
		}
		return matches;
	}

}
