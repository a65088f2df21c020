package io.mqttboot.docs;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * Finds the {@code ```java} blocks of the Markdown documentation and checks each one.
 * <p>
 * The convention (also stated at the top of docs/index.md): a block whose first line is
 * {@code // from <path>} names a Java source file of this repository that the build compiles
 * ({@code <module>/src/main/java/...} or {@code <module>/src/test/java/...} of a module of the
 * root {@code pom.xml}); every other non-blank line of the block must be a line of that file
 * (leading and trailing whitespace ignored), in the same order, except elision lines
 * ({@code ...}, {@code …}, {@code // ...}, {@code // …}). A block without that marker must be a
 * complete compilation unit, and is compiled against the test class path.
 */
final class DocumentationSnippets {

	private static final Pattern FROM_MARKER = Pattern.compile("//\\s*from\\s+(\\S+)");

	private static final Pattern SOURCE_PATH = Pattern.compile("([^/]+)/src/(main|test)/java/.+\\.java");

	private static final Pattern PUBLIC_TYPE = Pattern
		.compile("(?m)^public\\s+(?:final\\s+|abstract\\s+|sealed\\s+)*(?:class|interface|record|enum|@interface)\\s+(\\w+)");

	private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

	private static final Set<String> ELISIONS = Set.of("...", "…", "// ...", "// …");

	private final Path root;

	private final Set<String> modules;

	DocumentationSnippets(Path root) {
		this.root = root;
		this.modules = MODULE.matcher(read(root.resolve("pom.xml")))
			.results()
			.map((result) -> result.group(1).trim())
			.collect(Collectors.toUnmodifiableSet());
	}

	/**
	 * Return the repository root: the nearest directory, from the working directory upwards,
	 * that holds README.md and docs/.
	 * @return the repository root
	 */
	static Path findRoot() {
		Path dir = Path.of("").toAbsolutePath();
		while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs")))) {
			dir = dir.getParent();
		}
		if (dir == null) {
			throw new IllegalStateException("No README.md with a docs/ folder above " + Path.of("").toAbsolutePath());
		}
		return dir;
	}

	/**
	 * Return README.md and every docs/*.md file, relative to the root.
	 * @return the documents
	 */
	List<Path> documents() {
		try (Stream<Path> docs = Files.list(this.root.resolve("docs"))) {
			List<Path> documents = new ArrayList<>();
			documents.add(Path.of("README.md"));
			docs.filter((path) -> path.getFileName().toString().endsWith(".md"))
				.sorted()
				.forEach((path) -> documents.add(this.root.relativize(path)));
			return documents;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Return the {@code ```java} blocks of a document.
	 * @param document the document, relative to the root
	 * @return its Java blocks
	 */
	List<Snippet> snippets(Path document) {
		List<String> lines = read(this.root.resolve(document)).lines().toList();
		List<Snippet> snippets = new ArrayList<>();
		for (int i = 0; i < lines.size(); i++) {
			if (lines.get(i).strip().equals("```java")) {
				int start = i + 1;
				int end = start;
				while (end < lines.size() && !lines.get(end).strip().equals("```")) {
					end++;
				}
				// 1-based line of the opening fence
				snippets.add(new Snippet(document, i + 1, lines.subList(start, end)));
				i = end;
			}
		}
		return snippets;
	}

	/**
	 * Check a snippet against the convention.
	 * @param snippet the snippet
	 * @return the problems found, each naming the document, the block and the line; empty if
	 * none
	 */
	List<String> check(Snippet snippet) {
		String first = snippet.lines().isEmpty() ? "" : snippet.lines().get(0).strip();
		Matcher marker = FROM_MARKER.matcher(first);
		return marker.matches() ? checkAgainstSource(snippet, marker.group(1)) : compile(snippet);
	}

	private List<String> checkAgainstSource(Snippet snippet, String source) {
		Path file = this.root.resolve(source).normalize();
		Matcher sourcePath = SOURCE_PATH.matcher(source);
		if (!file.startsWith(this.root) || !Files.isRegularFile(file)) {
			return List.of(snippet + ": the marker names " + source + ", which is not a file of this repository");
		}
		if (!sourcePath.matches() || !this.modules.contains(sourcePath.group(1))) {
			return List.of(snippet + ": the marker names " + source + ", which the build does not compile"
					+ " (expected <module>/src/main/java/... or <module>/src/test/java/... of a module in "
					+ this.modules.stream().sorted().toList() + ")");
		}
		List<String> fileLines = read(file).lines().map(String::strip).toList();
		List<String> problems = new ArrayList<>();
		int position = 0;
		boolean matchedAny = false;
		for (int i = 1; i < snippet.lines().size(); i++) {
			String line = snippet.lines().get(i).strip();
			if (line.isEmpty() || ELISIONS.contains(line)) {
				continue;
			}
			int found = indexOf(fileLines, line, position);
			if (found < 0) {
				int earlier = indexOf(fileLines, line, 0);
				problems.add(snippet + ", line " + (snippet.line() + 1 + i) + ": '" + line + "' is not in " + source
						+ ((earlier >= 0) ? " after its line " + position + " (it is at line " + (earlier + 1)
								+ ": out of order)" : ""));
			}
			else {
				position = found + 1;
				matchedAny = true;
			}
		}
		if (!matchedAny && problems.isEmpty()) {
			problems.add(snippet + ": nothing but the marker");
		}
		return problems;
	}

	private static int indexOf(List<String> lines, String line, int from) {
		for (int i = from; i < lines.size(); i++) {
			if (lines.get(i).equals(line)) {
				return i;
			}
		}
		return -1;
	}

	private List<String> compile(Snippet snippet) {
		JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
		String code = String.join("\n", snippet.lines());
		Matcher publicType = PUBLIC_TYPE.matcher(code);
		String name = publicType.find() ? publicType.group(1) : "Snippet";
		JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + name + ".java"),
				JavaFileObject.Kind.SOURCE) {

			@Override
			public CharSequence getCharContent(boolean ignoreEncodingErrors) {
				return code;
			}

		};
		Path output;
		try {
			output = Files.createTempDirectory("snippet");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
		List<String> options = List.of("-proc:none", "-d", output.toString(), "-classpath", classPath());
		boolean compiled = compiler.getTask(new StringWriter(), null, diagnostics, options, null, List.of(unit))
			.call();
		if (compiled) {
			return List.of();
		}
		List<String> problems = new ArrayList<>();
		for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics()) {
			if (diagnostic.getKind() == Diagnostic.Kind.ERROR) {
				problems.add(snippet + ", line " + (snippet.line() + diagnostic.getLineNumber()) + ": "
						+ diagnostic.getMessage(Locale.ROOT) + " (a block without a first line '// from <path>'"
						+ " must compile on its own)");
			}
		}
		return problems;
	}

	private static String classPath() {
		// Surefire may start the JVM from a manifest-only jar; it passes the real class path here.
		String testClassPath = System.getProperty("surefire.test.class.path");
		return (testClassPath != null && !testClassPath.isBlank()) ? testClassPath
				: System.getProperty("java.class.path", "");
	}

	private static String read(Path path) {
		try {
			return Files.readString(path, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A {@code ```java} block.
	 *
	 * @param document the document, relative to the repository root
	 * @param line the 1-based line of the opening fence
	 * @param lines the lines between the fences
	 */
	record Snippet(Path document, int line, List<String> lines) {

		@Override
		public String toString() {
			return this.document + ", java block at line " + this.line;
		}

	}

}
