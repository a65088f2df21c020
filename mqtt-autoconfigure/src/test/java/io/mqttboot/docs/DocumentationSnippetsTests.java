package io.mqttboot.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.mqttboot.docs.DocumentationSnippets.Snippet;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the Java snippets of README.md and docs/*.md honest.
 * <p>
 * Every {@code ```java} block either starts with a marker line naming a Java source file of this
 * repository that the build compiles, and then consists of lines of that file in their order
 * (blank lines and {@code ...}/{@code // ...} elisions aside):
 * <pre>
 * ```java
 * // from mqtt-autoconfigure/src/test/java/com/example/thermostat/Thermostat.java
 * &#64;MqttListener(topics = "sensors/{room}/temp", qos = 1)
 * // ...
 * ```
 * </pre>
 * or it is a complete compilation unit (package, imports, a type), which this test compiles
 * against the test class path. To document code, copy its lines from a test (add the code to a
 * test first if none has it) and name that test in the marker. A failure names the document,
 * the line of the block's opening fence and the line that was not found or did not compile.
 */
class DocumentationSnippetsTests {

	private static final DocumentationSnippets documentation = new DocumentationSnippets(
			DocumentationSnippets.findRoot());

	@TestFactory
	Stream<DynamicTest> everyJavaSnippetShouldCompileOrBeCopiedFromTheSourceItNames() {
		return documentation.documents()
			.stream()
			.flatMap((document) -> documentation.snippets(document).stream())
			.map((snippet) -> DynamicTest.dynamicTest(snippet.toString(),
					() -> assertThat(documentation.check(snippet)).as(snippet.toString()).isEmpty()));
	}

	@Test
	void readmeAndReferenceGuideShouldHaveJavaSnippets() {
		assertThat(documentation.snippets(Path.of("README.md"))).isNotEmpty();
		assertThat(documentation.snippets(Path.of("docs/index.md"))).isNotEmpty();
	}

	@Test
	void snippetWithALineThatIsNotInItsSourceShouldFailNamingDocumentBlockAndLine(@TempDir Path root)
			throws IOException {
		DocumentationSnippets docs = repository(root, """
				# Guide

				```java
				// from app/src/main/java/com/example/Greeter.java
				String greet(String name) {
					return "Hi " + name;
				```
				""");
		Snippet snippet = docs.snippets(Path.of("README.md")).get(0);
		assertThat(docs.check(snippet)).containsExactly(
				"README.md, java block at line 3, line 6: 'return \"Hi \" + name;' is not in app/src/main/java/com/example/Greeter.java");
	}

	@Test
	void snippetWithLinesOutOfOrderShouldFail(@TempDir Path root) throws IOException {
		DocumentationSnippets docs = repository(root, """
				```java
				// from app/src/main/java/com/example/Greeter.java
				return "Hello " + name;
				String greet(String name) {
				```
				""");
		assertThat(docs.check(docs.snippets(Path.of("README.md")).get(0))).singleElement()
			.asString()
			.contains("line 4: 'String greet(String name) {'", "out of order");
	}

	@Test
	void snippetCopiedFromItsSourceWithElisionsShouldPass(@TempDir Path root) throws IOException {
		DocumentationSnippets docs = repository(root, """
				```java
				// from app/src/main/java/com/example/Greeter.java
				class Greeter {
					// ...
						return "Hello " + name;
				```
				""");
		assertThat(docs.check(docs.snippets(Path.of("README.md")).get(0))).isEmpty();
	}

	@Test
	void snippetNamingAFileTheBuildDoesNotCompileShouldFail(@TempDir Path root) throws IOException {
		DocumentationSnippets docs = repository(root, """
				```java
				// from scratch/Greeter.java
				class Greeter {
				```
				""");
		Files.createDirectories(root.resolve("scratch"));
		Files.writeString(root.resolve("scratch/Greeter.java"), "class Greeter {\n}\n");
		assertThat(docs.check(docs.snippets(Path.of("README.md")).get(0))).singleElement()
			.asString()
			.contains("README.md, java block at line 1", "which the build does not compile");
	}

	@Test
	void snippetWithoutMarkerThatDoesNotCompileShouldFailNamingTheLine(@TempDir Path root) throws IOException {
		DocumentationSnippets docs = repository(root, """
				Text

				```java
				class Broken {
					void run() {
						undefined();
					}
				}
				```
				""");
		assertThat(docs.check(docs.snippets(Path.of("README.md")).get(0))).singleElement()
			.asString()
			.contains("README.md, java block at line 3, line 6: ", "undefined");
	}

	@Test
	void snippetWithoutMarkerThatCompilesShouldPass(@TempDir Path root) throws IOException {
		DocumentationSnippets docs = repository(root, """
				```java
				package com.example;

				import io.mqttboot.core.MqttTemplate;

				public class Sender {

					void send(MqttTemplate mqttTemplate) {
						mqttTemplate.publish("a/b", "hello");
					}

				}
				```
				""");
		assertThat(docs.check(docs.snippets(Path.of("README.md")).get(0))).isEmpty();
	}

	private static DocumentationSnippets repository(Path root, String readme) throws IOException {
		Files.writeString(root.resolve("pom.xml"), "<modules><module>app</module></modules>");
		Files.createDirectories(root.resolve("docs"));
		Files.writeString(root.resolve("README.md"), readme);
		Path source = root.resolve("app/src/main/java/com/example/Greeter.java");
		Files.createDirectories(source.getParent());
		Files.writeString(source, String.join("\n", List.of("package com.example;", "", "class Greeter {", "",
				"\tString greet(String name) {", "\t\treturn \"Hello \" + name;", "\t}", "", "}", "")));
		return new DocumentationSnippets(root);
	}

}
