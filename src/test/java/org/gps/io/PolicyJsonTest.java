package org.gps.io;

import org.gps.core.BadInputException;
import org.gps.core.policy.Mlp;
import org.gps.core.policy.ObservationNormalizer;
import org.gps.core.policy.Policy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyJsonTest {
    private static Policy policy() {
        return new Policy(Mlp.initial(new int[] {3, 5, 4, 1}, 11),
                ObservationNormalizer.fromMoments(new double[] {0.1, -2, 3}, new double[] {1, 0.5, 0}),
                new double[] {0.25});
    }

    @Test
    void thePolicyReadsBackBitForBitAndActsTheSame() {
        Policy p = policy();
        Policy back = PolicyJson.fromJson(PolicyJson.toJson(p), "policy.json");
        assertArrayEquals(p.network().parameters(), back.network().parameters(), 0.0);
        assertArrayEquals(p.normalizer().scale(), back.normalizer().scale(), 0.0);
        assertArrayEquals(p.variance(), back.variance(), 0.0);
        double[] o = {0.3, -1.7, 3.0004};
        assertArrayEquals(p.meanAction(o), back.meanAction(o), 0.0);
    }

    @Test
    void aDamagedFileIsABadInputNamingWhatIsWrong() {
        String json = PolicyJson.toJson(policy());
        BadInputException missing = assertThrows(BadInputException.class,
                () -> PolicyJson.fromJson(json.replace("\"variance\"", "\"varianc\""), "p.json"));
        assertTrue(missing.getMessage().equals("p.json: variance is missing"), missing.getMessage());
        BadInputException format = assertThrows(BadInputException.class,
                () -> PolicyJson.fromJson("{\"format\": \"other\"}", "p.json"));
        assertTrue(format.getMessage().contains("format: expected 'gps-mlp-policy'"), format.getMessage());
        BadInputException syntax = assertThrows(BadInputException.class, () -> PolicyJson.fromJson("{", "p.json"));
        assertTrue(syntax.getMessage().startsWith("p.json: not valid policy JSON"), syntax.getMessage());
    }
}
