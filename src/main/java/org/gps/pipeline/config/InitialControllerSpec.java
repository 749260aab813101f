package org.gps.pipeline.config;

import org.gps.core.control.InitLqrOptions;
import org.gps.core.control.InitPdOptions;
import org.gps.core.control.OpenLoopOffsets;

import java.io.Serializable;

/**
 * The {@code initial_controller} section (docs/algorithm.md section 11): which construction, and its options.
 *
 * @param type    "lqr" (init_lqr) or "pd" (init_pd)
 * @param offsets the random open-loop sequences added to every condition's initial mean action
 */
public record InitialControllerSpec(String type, InitLqrOptions lqr, InitPdOptions pd, OpenLoopOffsets offsets)
        implements Serializable {
}
