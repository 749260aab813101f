/**
 * The pipeline: the run directory, the experiment configs, the steps a GPS iteration is made of,
 * the report, and the command line in {@code org.gps.pipeline.cli}.
 *
 * <p>Above {@code org.gps.spark}. It may import {@code org.gps.core}, {@code org.gps.io} and
 * {@code org.gps.spark}. The command line ({@code org.gps.pipeline.cli}) is the top of the stack:
 * it names every command, the benchmarks of {@code org.gps.bench} included, so it alone may import
 * {@code org.gps.bench}; the rest of this package imports neither {@code org.gps.bench} nor
 * {@code org.gps.pipeline.cli}. {@code LayeringTest} checks this.
 */
package org.gps.pipeline;
