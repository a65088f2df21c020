package io.mqttboot;

import java.nio.file.Path;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Names the file that holds a failed test's output, so the console (which Surefire's
 * {@code redirectTestOutputToFile} keeps free of the expected broker and reconnect noise)
 * still leads to the logs of a failure: the failure gets a suppressed exception whose message
 * is the path of {@code target/surefire-reports/<class>-output.txt}.
 * <p>
 * Registered for every test class of this module by {@code META-INF/services} and
 * {@code junit.jupiter.extensions.autodetection.enabled} in {@code junit-platform.properties}.
 */
public class TestOutputFileExtension implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

	@Override
	public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
		throw withOutputFile(context, throwable);
	}

	@Override
	public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable)
			throws Throwable {
		throw withOutputFile(context, throwable);
	}

	@Override
	public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable)
			throws Throwable {
		throw withOutputFile(context, throwable);
	}

	@Override
	public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable)
			throws Throwable {
		throw withOutputFile(context, throwable);
	}

	@Override
	public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable)
			throws Throwable {
		throw withOutputFile(context, throwable);
	}

	private static Throwable withOutputFile(ExtensionContext context, Throwable throwable) {
		Class<?> testClass = context.getRequiredTestClass();
		while (testClass.getEnclosingClass() != null) {
			testClass = testClass.getEnclosingClass();
		}
		for (Throwable suppressed : throwable.getSuppressed()) {
			if (suppressed instanceof TestOutputFile) {
				return throwable;
			}
		}
		Path file = Path.of("target", "surefire-reports", testClass.getName() + "-output.txt").toAbsolutePath();
		throwable.addSuppressed(new TestOutputFile("Output of the test class (logs, broker log): " + file));
		return throwable;
	}

	/**
	 * Carries the path only; its own stack trace would be noise.
	 */
	static final class TestOutputFile extends Exception {

		TestOutputFile(String message) {
			super(message, null, false, false);
		}

	}

}
