package org.gps.pipeline.report;

import org.gps.pipeline.cli.CliTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The report as its reader sees it: the page of {@link RunReportTest}'s fixture run, copied alone
 * to another folder as a mailed attachment would be, opened in a real headless browser (Debian's
 * Chromium). The screenshot is kept as {@value #SCREENSHOT} to look at. Without a Chromium on
 * PATH the test is skipped with the command that installs one; the test itself installs nothing.
 */
class ReportInBrowserTest {
    static final Path BASEDIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    static final String SCREENSHOT = "target/report-screenshot.png";
    static final int WIDTH = 1000;
    /** Tall enough for the headline and the first two charts, of which the cost chart has a band. */
    static final int HEIGHT = 2400;
    /** Generous: Chromium renders the page in about a second here; a first start may be slower. */
    static final long TIMEOUT_SECONDS = 120;
    /**
     * The band of the cost and return charts: their blue (0, 114, 178) at 20% opacity over white.
     * Nothing else on the page has this colour, so it is on screen only if the inlined images decoded.
     */
    static final int[] BAND_FILL = {204, 227, 240};

    @TempDir
    static Path dir;
    static String browser;
    static Path mailed;

    @BeforeAll
    static void writeTheFixturesReportAndCopyThePageAlone() throws Exception {
        browser = browser();
        if (browser == null) {
            // Without a browser the test is skipped, saying so; the fixture is not worth writing.
            return;
        }
        Path run = dir.resolve("run");
        RunReportTest.writeRun(run);
        RunReportTest.writePolicyEvals(run);
        Path page = dir.resolve("written/index.html");
        CliTestSupport.Outcome o = CliTestSupport.run("report", "--run-dir", run.toString(), "--out", page.toString());
        assertEquals(0, o.exitCode(), o.err());
        mailed = Files.createDirectories(dir.resolve("mailed")).resolve("run report.html");
        Files.copy(page, mailed);
    }

    /** Debian's headless shell, or its full Chromium; null when neither is on PATH. */
    static String browser() {
        for (String name : List.of("chromium-headless-shell", "chromium")) {
            for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path p = Path.of(d.isEmpty() ? "." : d, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return null;
    }

    @Test
    void thePageAloneShowsItsHeadlineAndEveryChartInABrowser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(browser != null, "no headless Chromium on PATH "
                + "(chromium-headless-shell or chromium): run jobs/install-test-deps, which installs Debian's "
                + "chromium-headless-shell (the README's test command does)");
        Path screenshot = BASEDIR.resolve(SCREENSHOT);
        Files.createDirectories(screenshot.getParent());
        Files.deleteIfExists(screenshot);
        run("screenshot", "--screenshot=" + screenshot, "--window-size=" + WIDTH + "," + HEIGHT,
                "--hide-scrollbars");
        BufferedImage shot = ImageIO.read(screenshot.toFile());
        assertNotNull(shot, screenshot + " is not an image");
        assertEquals(WIDTH, shot.getWidth());
        assertEquals(HEIGHT, shot.getHeight());
        long painted = 0;
        long band = 0;
        for (int y = 0; y < shot.getHeight(); y++) {
            for (int x = 0; x < shot.getWidth(); x++) {
                int rgb = shot.getRGB(x, y) & 0xffffff;
                painted += rgb == 0xffffff ? 0 : 1;
                band += near(rgb, BAND_FILL) ? 1 : 0;
            }
        }
        long pixels = (long) WIDTH * HEIGHT;
        // Text and two charts: far from blank. A blank or nearly blank page has almost no painted pixels.
        assertTrue(painted > pixels / 20, "only " + painted + " of " + pixels + " pixels are not white: " + screenshot);
        // The cost chart's band covers tens of thousands of pixels; a broken image would show none of its colour.
        assertTrue(band > 10_000, "only " + band + " pixels of the charts' band colour: did the images load? " + screenshot);

        String dom = run("dom", "--dump-dom");
        assertTrue(dom.contains("Published policy (iteration 2): mean return <strong>-55.35</strong>"),
                "the headline is in the page as the browser has it:\n" + head(dom));
        Matcher img = Pattern.compile("<img [^>]*src=\"([^\"]*)\"").matcher(dom);
        List<String> sources = new ArrayList<>();
        while (img.find()) {
            sources.add(img.group(1));
        }
        assertEquals(5, sources.size(), "cost, KL, error over t, error per iteration, policy return");
        for (String src : sources) {
            String prefix = "data:image/png;base64,";
            assertTrue(src.startsWith(prefix), "an image that needs a file beside the page: "
                    + src.substring(0, Math.min(80, src.length())));
            byte[] png = Base64.getDecoder().decode(src.substring(prefix.length()));
            assertTrue(png.length > 1000, "a chart of " + png.length + " bytes");
            BufferedImage chart = ImageIO.read(new ByteArrayInputStream(png));
            assertNotNull(chart, "an inlined image that is no PNG");
            assertEquals(ReportCharts.WIDTH, chart.getWidth());
            assertEquals(ReportCharts.HEIGHT, chart.getHeight());
        }
    }

    static boolean near(int rgb, int[] colour) {
        return Math.abs(((rgb >> 16) & 0xff) - colour[0]) <= 2 && Math.abs(((rgb >> 8) & 0xff) - colour[1]) <= 2
                && Math.abs((rgb & 0xff) - colour[2]) <= 2;
    }

    /**
     * Runs the browser on the mailed page and returns its standard output. {@code --no-sandbox}:
     * CI containers run the tests as root, where Chromium refuses its sandbox; the page is our own.
     */
    static String run(String what, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(browser, "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + dir.resolve("profile-" + what)));
        cmd.addAll(List.of(options));
        cmd.add(mailed.toUri().toString());
        Path out = dir.resolve(what + ".out");
        Path err = dir.resolve(what + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in " + TIMEOUT_SECONDS + " s:\n" + tail(err));
        }
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + tail(err));
        return Files.readString(out);
    }

    static String tail(Path f) throws Exception {
        String s = Files.exists(f) ? Files.readString(f) : "(nothing)";
        return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
    }

    static String head(String s) {
        return s.length() > 3000 ? s.substring(0, 3000) + "..." : s;
    }
}
