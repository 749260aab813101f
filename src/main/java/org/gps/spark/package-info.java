/**
 * The distributed steps: sampling, cost expansion, distributed EM, the grouped per-(condition, t)
 * fits and their writer, policy linearization, the C-step per condition, the S-step's targets and
 * L-BFGS, held-out scoring.
 *
 * <p>Above {@code org.gps.io}. It may import {@code org.gps.core}, {@code org.gps.io} (the rollout
 * schema and its rules, which the steps apply as they read, and the stores) and Spark, and nothing
 * from {@code org.gps.pipeline} or {@code org.gps.bench}. {@code LayeringTest} checks this.
 */
package org.gps.spark;
