/**
 * The Spark-free math of Guided Policy Search: linear algebra over netlib BLAS and LAPACK, mixtures
 * and EM, dynamics fits, costs, controllers and their optimisation, the neural policy, the
 * simulators and seed derivation.
 *
 * <p>The bottom layer. It imports only the JDK (with its incubating Vector API), SLF4J, netlib and
 * itself: nothing from Spark, Hadoop or Scala, and nothing from {@code org.gps.io},
 * {@code org.gps.spark}, {@code org.gps.pipeline} or {@code org.gps.bench}, so that every equation
 * can be tested on its own against closed forms. {@code LayeringTest} checks this.
 */
package org.gps.core;
