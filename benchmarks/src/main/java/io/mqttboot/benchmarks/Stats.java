package io.mqttboot.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Medians, percentiles and number formatting for the result tables.
 */
final class Stats {

	private Stats() {
	}

	static double median(List<Double> values) {
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	/**
	 * Nearest-rank percentile.
	 */
	static double percentile(long[] values, double percentile) {
		long[] sorted = values.clone();
		Arrays.sort(sorted);
		int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
	}

	static String rate(double perSecond) {
		if (Double.isNaN(perSecond)) {
			return "n/a";
		}
		return String.format(Locale.ROOT, "%,.0f", perSecond);
	}

	static String ratio(double value) {
		return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.2f", value);
	}

	static String fixed(double value, int decimals) {
		return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%,." + decimals + "f", value);
	}

	static String verdict(boolean met) {
		return met ? "met" : "**missed**";
	}

}
