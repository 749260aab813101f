/**
 * Data at rest: the rollout schema and its rules, validation and ingest, the Parquet and JSON
 * stores of controllers, dynamics, duals and policies, atomic publication and completion markers,
 * Hadoop file access, the run directory's lease, and the SparkSession every job opens.
 *
 * <p>Above {@code org.gps.core}. It may import {@code org.gps.core}, Spark SQL, Hadoop and Jackson,
 * and nothing from {@code org.gps.spark}, {@code org.gps.pipeline} or {@code org.gps.bench}: a
 * store that writes the result of a distributed step takes that step's parts, or its writer sits
 * in {@code org.gps.spark} (as {@code DynamicsWriter} does). {@code LayeringTest} checks this.
 */
package org.gps.io;
