package org.gps.pipeline.config;

import org.gps.core.control.InitLqrOptions;
import org.gps.core.control.InitPdOptions;

import java.io.Serializable;

/**
 * The {@code initial_controller} section (docs/algorithm.md section 11): which construction, and its options.
 *
 * @param type "lqr" (init_lqr) or "pd" (init_pd)
 */
public record InitialControllerSpec(String type, InitLqrOptions lqr, InitPdOptions pd) implements Serializable {
}
