import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.Arrays;
import java.util.List;

/**
 * The wall time of a trivial Spark job on the embedded local master: what each of an iteration's
 * Spark jobs costs before it does any work. Not part of the product; see docs/benchmarks.md.
 *
 *   mvn -B -q -DskipTests package
 *   CP=target/gps.jar:$(cat target/classpath.txt)
 *   javac -cp "$CP" -d /tmp/job-latency bench/spark/JobLatency.java
 *   java @jobs/jvm.options -cp "/tmp/job-latency:$CP" JobLatency
 */
public final class JobLatency {
    public static void main(String[] args) {
        SparkSession session = SparkSession.builder().master("local[*]").config("spark.ui.enabled", "false")
                .getOrCreate();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(session.sparkContext());
        List<Integer> values = Arrays.asList(1, 2, 3, 4);
        for (int partitions : new int[] {1, 2, 8, 20}) {
            long[] nanos = new long[60];
            for (int i = 0; i < nanos.length; i++) {
                long start = System.nanoTime();
                jsc.parallelize(values, partitions).map(x -> x + 1).count();
                nanos[i] = System.nanoTime() - start;
            }
            // The first ten are the warm-up; the median and minimum of the other fifty.
            Arrays.sort(nanos, 10, nanos.length);
            System.out.printf("%2d partitions: median %.1f ms, min %.1f ms over 50 jobs%n", partitions,
                    nanos[35] / 1e6, nanos[10] / 1e6);
        }
        session.stop();
    }
}
