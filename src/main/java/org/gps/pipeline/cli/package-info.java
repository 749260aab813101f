/**
 * The command line, {@code gps COMMAND}: one subcommand per pipeline step, plus validate, ingest,
 * inspect, report and the benchmarks.
 *
 * <p>The top layer: it may import every other layer, {@code org.gps.bench} included, and nothing
 * imports it. {@code LayeringTest} checks this.
 */
package org.gps.pipeline.cli;
