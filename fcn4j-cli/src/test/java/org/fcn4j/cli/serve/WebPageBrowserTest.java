package org.fcn4j.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.fcn4j.cli.CliRun;
import org.fcn4j.cli.SmallModel;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page at / in a real headless Chromium (Debian's chromium and chromium-driver): an image uploaded through
 * the page is drawn as fcn4j predict's mask in the palette, and a bad file shows the server's message. .ci/run
 * installs the browser and sets FCN4J_BROWSER_TEST=required; elsewhere a missing browser skips the test, saying so.
 */
class WebPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path tmp;

    static SmallModel model;
    static Segmenter segmenter;
    static SegmentServer server;
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            String why = "no " + CHROMIUM + " / " + CHROMEDRIVER + " (apt-get install chromium chromium-driver)";
            if ("required".equals(System.getenv("FCN4J_BROWSER_TEST"))) {
                throw new AssertionError("the browser test is required here but there is " + why);
            }
            Assumptions.abort("skipped: " + why);
        }
        model = SmallModel.write(tmp);
        segmenter = Segmenter.load(Config.load(model.config().toString()), model.checkpoint(), w -> {});
        server = SegmentServer.start(segmenter, ServeHttpTest.options(2, 4));
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toString())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
            segmenter.close();
        }
    }

    private String upload(Path file) {
        browser.get("http://127.0.0.1:" + server.port() + "/");
        WebElement status = browser.findElement(By.id("status"));
        browser.findElement(By.id("file")).sendKeys(file.toString());
        new WebDriverWait(browser, Duration.ofSeconds(60))
                .until(d -> status.getText().contains(" ms") || status.getText().startsWith("server answered"));
        return status.getText();
    }

    /** A canvas's pixels as 0xRRGGBB, row-major. */
    @SuppressWarnings("unchecked")
    private int[] canvas(String id) {
        List<Long> rgba = (List<Long>) ((JavascriptExecutor) browser)
                .executeScript(
                        "const c = document.getElementById(arguments[0]);"
                                + "return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);",
                        id);
        int[] out = new int[rgba.size() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) (rgba.get(4 * i) << 16 | rgba.get(4 * i + 1) << 8 | rgba.get(4 * i + 2));
        }
        return out;
    }

    @Test
    void anUploadedImageIsDrawnAsPredictsMaskAndABadFileShowsTheServersMessage() throws Exception {
        Path image = tmp.resolve("scene.png");
        ImageIO.write(SmallModel.image(90, 70), "png", image.toFile());
        CliRun predict = CliRun.of(
                "predict",
                model.config().toString(),
                model.checkpoint().toString(),
                image.toString(),
                "--out-dir",
                tmp.resolve("out").toString());
        assertThat(predict.code()).as(predict.err()).isEqualTo(0);
        BufferedImage mask = ImageIO.read(tmp.resolve("out/scene.png").toFile());
        int[][] palette = segmenter.meta().palette();
        int[] expected = new int[90 * 70];
        for (int y = 0; y < 70; y++) {
            for (int x = 0; x < 90; x++) {
                int[] c = palette[mask.getRaster().getSample(x, y, 0)];
                expected[y * 90 + x] = c[0] << 16 | c[1] << 8 | c[2];
            }
        }

        assertThat(upload(image)).startsWith("90x70, whole").endsWith(" ms");
        assertThat(canvas("labels")).containsExactly(expected);
        // the legend: a header and one row per class
        assertThat(browser.findElements(By.cssSelector("#legend tr"))).hasSize(1 + palette.length);
        // at full opacity the overlay is the label colours; at 0 it is the image
        ((JavascriptExecutor) browser)
                .executeScript("const o = document.getElementById('opacity'); o.value = 100;"
                        + "o.dispatchEvent(new Event('input'));");
        assertThat(canvas("overlay")).containsExactly(expected);
        // the input as sent (a PNG, so exact)
        BufferedImage sent = ImageIO.read(image.toFile());
        int[] input = canvas("input");
        for (int y = 0; y < 70; y += 5) {
            for (int x = 0; x < 90; x += 5) {
                assertThat(input[y * 90 + x]).isEqualTo(sent.getRGB(x, y) & 0xffffff);
            }
        }

        Path bad = Files.writeString(tmp.resolve("bad.png"), "not an image");
        String message = upload(bad);
        assertThat(message).startsWith("server answered 400: ").contains("not a JPEG or PNG");
        assertThat(browser.findElement(By.id("status")).getAttribute("class")).isEqualTo("error");
    }
}
