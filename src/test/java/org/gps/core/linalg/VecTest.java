package org.gps.core.linalg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VecTest {
    /** Small integers and halves: every sum and square below is exact in double precision. */
    @Test
    void sumMeanAndPopulationStandardDeviation() {
        double[] x = {1, 2, 4, 5};
        assertEquals(12.0, Vec.sum(x), 0.0);
        assertEquals(3.0, Vec.mean(x), 0.0);
        // Deviations -2, -1, 1, 2: squares sum to 10, over the count 4 (not 3): 2.5.
        assertEquals(Math.sqrt(2.5), Vec.std(x), 0.0);
        assertEquals(0.0, Vec.std(new double[] {7.5}), 0.0);
    }
}
