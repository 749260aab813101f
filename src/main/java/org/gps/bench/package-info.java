/**
 * The benchmarks behind {@code gps benchmark}: timings of the dynamics step and the C-step on
 * generated problems, and the control benchmark, which trains a config over several seeds and
 * scores each result.
 *
 * <p>Above {@code org.gps.pipeline}: it may import {@code org.gps.core}, {@code org.gps.io},
 * {@code org.gps.spark} and {@code org.gps.pipeline} (the control benchmark drives whole runs through
 * the pipeline's steps), but not the command line, {@code org.gps.pipeline.cli}, which sits above it
 * and names the benchmarks as subcommands. {@code LayeringTest} checks this.
 */
package org.gps.bench;
