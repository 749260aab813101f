package org.gps.pipeline.steps;

import org.gps.core.control.LinearGaussianController;
import org.gps.pipeline.config.ConfigReader;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.pipeline.config.TestConfigs;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The controllers of iteration 0 that {@code gps init} writes, condition by condition. */
class InitialControllersOfARunTest {
    private static final String TWO_COPIES = TestConfigs.MINIMAL.replace("conditions:\n",
            "conditions:\n  - [3.141592653589793, 0.0]\n");

    private static Map<Integer, LinearGaussianController> controllers(String yaml) {
        ExperimentConfig config = ConfigReader.parse("c.yaml", yaml);
        assertEquals(2, config.conditionCount());
        return InitStep.initialControllers(config);
    }

    @Test
    void withoutOffsetsCopiesOfOneStartGetTheSameController() {
        Map<Integer, LinearGaussianController> c = controllers(TWO_COPIES);
        assertEquals(c.get(0), c.get(1));
    }

    @Test
    void offsetsGiveEachCopyItsOwnMeanAndKeepItsFeedback() {
        String yaml = TWO_COPIES + "initial_controller: {offset_std: 2.0, offset_width: 3}\n";
        Map<Integer, LinearGaussianController> plain = controllers(TWO_COPIES);
        Map<Integer, LinearGaussianController> c = controllers(yaml);
        assertNotEquals(c.get(0).offset(0)[0], c.get(1).offset(0)[0]);
        for (int cond = 0; cond < 2; cond++) {
            double squares = 0;
            for (int t = 0; t < 10; t++) {
                assertEquals(plain.get(cond).gain(t), c.get(cond).gain(t));
                assertEquals(plain.get(cond).covariance(t), c.get(cond).covariance(t));
                double d = c.get(cond).offset(t)[0] - plain.get(cond).offset(t)[0];
                squares += d * d;
            }
            assertEquals(2.0, Math.sqrt(squares / 10), 1e-12);
        }
        // Drawn from the run's seed: the same config gives the same bits, another seed other offsets.
        assertEquals(c, controllers(yaml));
        assertNotEquals(c.get(0), controllers(yaml + "seed: 99\n").get(0));
    }
}
