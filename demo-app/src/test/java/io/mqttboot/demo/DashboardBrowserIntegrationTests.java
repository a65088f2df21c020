package io.mqttboot.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.annotation.DirtiesContext.ClassMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real browser: headless Chromium, driven by Selenium through the
 * system's chromedriver, against the demo with its embedded broker on a free port.
 * Skipped when Chromium or chromedriver is not installed
 * ({@code apt-get install -y chromium chromium-driver}; {@code .ci/run} does it). Selenium
 * Manager is never asked to download a driver: the paths are set explicitly.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "mqtt.embedded.port=0",
		// Selenium asks Chromium for its DevTools version, which the test does not use.
		"logging.level.org.openqa.selenium.devtools.CdpVersionFinder=error",
		"logging.level.org.openqa.selenium.chromium.ChromiumDriver=error" })
@EnabledIf(value = "chromiumInstalled",
		disabledReason = "Chromium or chromedriver is not installed: apt-get install -y chromium chromium-driver")
@DirtiesContext(classMode = ClassMode.BEFORE_CLASS) // a fresh demo: no devices other tests published for
class DashboardBrowserIntegrationTests {

	private static final Path CHROMIUM = Path.of(System.getProperty("demo.chromium", "/usr/bin/chromium"));

	private static final Path CHROMEDRIVER = Path.of(System.getProperty("demo.chromedriver", "/usr/bin/chromedriver"));

	/**
	 * Where the test saves its screenshot; docs/images/demo.png is a copy of it.
	 */
	private static final Path SCREENSHOT = Path.of("target", "screenshots", "demo.png");

	private static final Log logger = LogFactory.getLog(DashboardBrowserIntegrationTests.class);

	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	private @Nullable WebDriver driver;

	/**
	 * Whether the browser is there. A condition rather than an assumption in
	 * {@code @BeforeAll}: Surefire counts an aborted class as zero tests and shows no
	 * reason, a disabled one as skipped with the reason in its report.
	 */
	static boolean chromiumInstalled() {
		boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		if (!installed) {
			logger.warn("Skipping the browser test: Chromium (" + CHROMIUM + ") or chromedriver (" + CHROMEDRIVER
					+ ") is not installed; install them with 'apt-get install -y chromium chromium-driver'");
		}
		return installed;
	}

	@BeforeEach
	void startBrowser() {
		// Forwarded to Selenium Manager should anything start it: never download.
		System.setProperty("SE_OFFLINE", "true");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
				"--window-size=1360,1200", "--hide-scrollbars");
		this.driver = new ChromeDriver(service, options);
	}

	@AfterEach
	void quitBrowser() {
		if (this.driver != null) {
			this.driver.quit();
		}
	}

	@Test
	void dashboardShouldShowLiveReadingsPublishFromTheFormShowAnAlertAndLinkToTheActuator() throws IOException {
		WebDriver browser = browser();
		browser.get("http://localhost:" + this.port + "/");
		awaitPage().untilAsserted(() -> assertThat(text("#state")).isEqualTo("CONNECTED"));

		awaitPage().untilAsserted(() -> assertThat(readings()).hasSizeGreaterThanOrEqualTo(10));
		List<String> first = readings();
		awaitPage().untilAsserted(() -> assertThat(readings()).isNotEqualTo(first));

		publishFromTheForm("sensors/+/temperature", "x", "1");
		awaitPage().untilAsserted(() -> {
			assertThat(browser.findElement(By.id("result")).getAttribute("class")).contains("bad");
			assertThat(text("#result")).contains("'sensors/+/temperature'");
		});

		String reading = this.json
			.writeValueAsString(new Reading("manual", "temperature", 35.5, Instant.now().truncatedTo(ChronoUnit.SECONDS)));
		publishFromTheForm("sensors/manual/temperature", reading, "2");
		awaitPage().untilAsserted(() -> {
			assertThat(browser.findElement(By.id("result")).getAttribute("class")).contains("ok");
			assertThat(text("#result")).startsWith("Published to sensors/manual/temperature with QoS 2");
		});
		awaitPage().untilAsserted(() -> assertThat(
				text("article.card[data-id='manual'] .reading[data-metric='temperature']"))
			.isEqualTo("35.5 °C"));
		awaitPage().untilAsserted(() -> assertThat(text("#alerts li[data-device='manual'] .what"))
			.isEqualTo("manual temperature 35.5 °C"));
		saveScreenshot();

		JsonNode health = followLink("link-health-mqtt", "/actuator/health/mqtt");
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.get("details").get("state").asString()).isEqualTo("CONNECTED");
		JsonNode endpoint = followLink("link-mqtt", "/actuator/mqtt");
		assertThat(endpoint.get("clients").get("default").get("listeners").valueStream()
			.map((listener) -> listener.get("id").asString())).contains("thresholds", "alerts");
		JsonNode metric = followLink("link-metric-published", "/actuator/metrics/mqtt.messages.published");
		assertThat(metric.get("measurements").get(0).get("value").asDouble()).isPositive();
	}

	private void publishFromTheForm(String topic, String payload, String qos) {
		WebDriver browser = browser();
		WebElement topicField = browser.findElement(By.id("topic"));
		topicField.clear();
		topicField.sendKeys(topic);
		WebElement payloadField = browser.findElement(By.id("payload"));
		payloadField.clear();
		payloadField.sendKeys(payload);
		new Select(browser.findElement(By.id("qos"))).selectByValue(qos);
		browser.findElement(By.id("send")).click();
	}

	private List<String> readings() {
		return browser().findElements(By.cssSelector("article.card .reading"))
			.stream()
			.map(WebElement::getText)
			.filter((text) -> !text.equals("–"))
			.toList();
	}

	/**
	 * Click a link on the dashboard, read the JSON that Chromium shows and go back.
	 */
	private JsonNode followLink(String id, String path) {
		WebDriver browser = browser();
		awaitPage().untilAsserted(() -> assertThat(browser.findElement(By.id(id)).isDisplayed()).isTrue());
		browser.findElement(By.id(id)).click();
		awaitPage().untilAsserted(() -> assertThat(browser.getCurrentUrl()).endsWith(path));
		JsonNode body = this.json.readTree(browser.findElement(By.tagName("pre")).getText());
		browser.navigate().back();
		return body;
	}

	private void saveScreenshot() throws IOException {
		byte[] png = ((ChromeDriver) browser()).getScreenshotAs(OutputType.BYTES);
		Files.createDirectories(SCREENSHOT.getParent());
		Files.write(SCREENSHOT, png);
	}

	private String text(String cssSelector) {
		return browser().findElement(By.cssSelector(cssSelector)).getText();
	}

	private WebDriver browser() {
		assertThat(this.driver).as("browser").isNotNull();
		return this.driver;
	}

	/**
	 * Wait for the page, which polls the application every second; elements it re-renders
	 * may be missing or stale in between.
	 */
	private static org.awaitility.core.ConditionFactory awaitPage() {
		return await().atMost(TIMEOUT).ignoreExceptionsInstanceOf(WebDriverException.class);
	}

}
