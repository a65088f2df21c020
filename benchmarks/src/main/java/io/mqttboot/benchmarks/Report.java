package io.mqttboot.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Markdown output: printed as it is produced and appended to the results file, so a run
 * that dies half-way still leaves the finished sections.
 */
final class Report {

	private final Path out;

	Report(String out) {
		this.out = Path.of(out);
	}

	void section(String title, String... notes) {
		StringBuilder text = new StringBuilder("\n### ").append(title).append("\n\n");
		for (String note : notes) {
			text.append(note).append("\n");
		}
		if (notes.length > 0) {
			text.append('\n');
		}
		write(text.toString());
	}

	Table table(String... columns) {
		return new Table(columns);
	}

	void write(String text) {
		System.out.print(text);
		System.out.flush();
		try {
			Files.writeString(this.out, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot write results to " + this.out, ex);
		}
	}

	final class Table {

		private final String[] columns;

		private final List<String[]> rows = new ArrayList<>();

		private Table(String[] columns) {
			this.columns = columns;
		}

		Table row(Object... cells) {
			String[] row = new String[cells.length];
			for (int i = 0; i < cells.length; i++) {
				row[i] = String.valueOf(cells[i]);
			}
			this.rows.add(row);
			return this;
		}

		void print() {
			StringBuilder text = new StringBuilder();
			text.append("| ").append(String.join(" | ", this.columns)).append(" |\n");
			text.append("|").append("---|".repeat(this.columns.length)).append('\n');
			for (String[] row : this.rows) {
				text.append("| ").append(String.join(" | ", row)).append(" |\n");
			}
			write(text.toString());
		}

	}

}
