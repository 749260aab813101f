package org.gps.core;

import org.gps.core.gmm.GmmOptions.Initialization;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigNamesTest {
    @Test
    void aValuesNameIsItsConstantInLowerCaseAndReadsBackAsTheSameValue() {
        assertEquals("sampled_means", ConfigNames.of(Initialization.SAMPLED_MEANS));
        assertArrayEquals(new String[] {"auto", "kmeans", "sampled_means", "random_assignment"},
                ConfigNames.all(Initialization.class));
        for (Initialization i : Initialization.values()) {
            assertEquals(i, ConfigNames.parse(Initialization.class, ConfigNames.of(i)));
        }
    }

    @Test
    void anyOtherNameIsRefusedListingTheExpectedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigNames.parse(Initialization.class, "KMEANS"));
        assertEquals("expected one of auto, kmeans, sampled_means, random_assignment, got 'KMEANS'", e.getMessage());
    }
}
