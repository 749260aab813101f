package org.gps.pipeline.cli;

import org.gps.core.control.LinearGaussianController;
import org.gps.io.ControllerStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code trajopt.action_limits: environment} reaches the C-step of a run: the tiny run's first
 * C-step, from the same rollouts and dynamics, with and without Pendulum's torque limit.
 */
class ActionLimitsRunTest {

    @Test
    void limitedCStepHoldsSomeStepsAtTheTorqueLimitWithoutFeedbackAndChangesTheControllers(@TempDir Path dir)
            throws Exception {
        // The tiny run with a torque limit of 0.3: its first plan asks for more than that at some steps.
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, TinyRun.CONFIG.replace("{type: pendulum}", "{type: pendulum, max_torque: 0.3}"));
        Path fitted = dir.resolve("fitted");
        TinyRun.ok("init", "--config", config.toString(), "--run-dir", fitted.toString());
        TinyRun.ok("sample", "--run-dir", fitted.toString(), "--iteration", "0");
        TinyRun.ok("fit-dynamics", "--run-dir", fitted.toString(), "--iteration", "0");
        Path free = TinyRun.copy(fitted, dir.resolve("limits-free"));
        Path limited = TinyRun.copy(fitted, dir.resolve("limits-on"));
        // The same run with the key set: the config of a run directory is its config.json.
        Path json = limited.resolve("config.json");
        String text = Files.readString(json);
        String withLimits = text.replace("\"action_limits\" : \"none\"", "\"action_limits\" : \"environment\"");
        assertNotEquals(text, withLimits, "config.json must record trajopt.action_limits");
        Files.writeString(json, withLimits);
        TinyRun.ok("trajopt", "--run-dir", free.toString(), "--iteration", "0");
        TinyRun.ok("trajopt", "--run-dir", limited.toString(), "--iteration", "0");

        Map<Integer, LinearGaussianController> a = read(free);
        Map<Integer, LinearGaussianController> b = read(limited);
        int held = 0;
        for (int c : b.keySet()) {
            LinearGaussianController lim = b.get(c);
            for (int t = 0; t < lim.horizon(); t++) {
                double k = lim.offset(t)[0];
                double[] gain = lim.gain(t).toRowArrays()[0];
                if (Math.abs(k) == 0.3 && gain[0] == 0 && gain[1] == 0 && gain[2] == 0) {
                    held++;
                }
            }
        }
        // With the limits the steps whose plan asked for more are held at the limit (k = +-0.3, K = 0).
        assertTrue(held > 0, "no step held at the torque limit");
        boolean differ = false;
        for (int c : a.keySet()) {
            for (int t = 0; t < a.get(c).horizon(); t++) {
                differ |= a.get(c).offset(t)[0] != b.get(c).offset(t)[0];
            }
        }
        assertTrue(differ, "the limits changed nothing");
        for (int c : a.keySet()) {
            for (int t = 0; t < a.get(c).horizon(); t++) {
                double k = a.get(c).offset(t)[0];
                double[] gain = a.get(c).gain(t).toRowArrays()[0];
                assertEquals(false, Math.abs(k) == 0.3 && gain[0] == 0 && gain[1] == 0 && gain[2] == 0,
                        "an unlimited controller held at exactly the limit at t=" + t);
            }
        }
    }

    private static Map<Integer, LinearGaussianController> read(Path run) throws Exception {
        return ControllerStore.fromJson(Files.readString(run.resolve("iter=0001/controllers.json")), "controllers.json");
    }
}
