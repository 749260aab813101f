package org.gps.core.random;

/**
 * Derives independent, reproducible seeds from the run's seed (docs/architecture.md, job contract: "every random draw
 * derives from the run's seed, the iteration, the condition and the sample"). Each use gets
 * its own stream, named by a purpose string, so two uses never share draws.
 */
public final class Seeds {
    private Seeds() {
    }

    /** A seed for {@code purpose} and the given indices (iteration, condition, sample, ...). */
    public static long derive(long runSeed, String purpose, long... ids) {
        long h = mix(runSeed ^ 0x9E3779B97F4A7C15L);
        for (int i = 0; i < purpose.length(); i++) {
            h = mix(h + purpose.charAt(i));
        }
        for (long id : ids) {
            h = mix(h ^ mix(id + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    /** SplitMix64's finaliser: a bijection with good avalanche, so nearby ids give unrelated seeds. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
