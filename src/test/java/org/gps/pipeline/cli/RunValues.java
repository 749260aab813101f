package org.gps.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every value a run directory holds, as text that is equal exactly when the values are the same
 * bits: per Parquet folder its rows (sorted, so part-file names and row placement do not count),
 * per JSON file its leaves (without the completion markers' times), every other file its bytes.
 * Doubles appear as their raw bit patterns.
 */
final class RunValues {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Keys that are not values of the run: when a marker was written (a wall-clock time) and which
     * build and kernels wrote an output (the same for two runs of one build, and a new commit changes it
     * without changing a single computed number).
     */
    private static final java.util.Set<String> NOT_RUN_VALUES = java.util.Set.of("completedAt",
            "gpsVersion", "gpsCommit", "gpsModified", "gps_version", "gps_commit", "gps_modified", "gps_kernels");

    private RunValues() {
    }

    /** Relative path (a Parquet folder, a JSON file or another file) to its values. */
    static Map<String, List<String>> of(Path runDir, SparkSession spark) {
        Map<String, List<String>> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(runDir)) {
            List<Path> all = s.sorted().toList();
            for (Path p : all) {
                String rel = runDir.relativize(p).toString();
                if (Files.isDirectory(p)) {
                    if (Files.exists(p.resolve("_SUCCESS"))) {
                        out.put(rel, parquetRows(spark, p));
                    }
                } else if (!insideParquetFolder(p, runDir) && !p.getFileName().toString().endsWith(".crc")) {
                    String name = p.getFileName().toString();
                    if (name.endsWith(".json") || name.equals("_GPS_COMPLETE")) {
                        List<String> leaves = new ArrayList<>();
                        leaves(JSON.readTree(p.toFile()), "", leaves);
                        out.put(rel, leaves);
                    } else {
                        out.put(rel, List.of(java.util.HexFormat.of().formatHex(Files.readAllBytes(p))));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static boolean insideParquetFolder(Path file, Path runDir) {
        for (Path d = file.getParent(); d != null && d.startsWith(runDir); d = d.getParent()) {
            if (Files.exists(d.resolve("_SUCCESS"))) {
                return !file.getFileName().toString().equals("_GPS_COMPLETE")
                        && !file.getFileName().toString().endsWith(".json");
            }
        }
        return false;
    }

    private static List<String> parquetRows(SparkSession spark, Path folder) {
        List<String> rows = new ArrayList<>();
        for (Row r : spark.read().parquet(folder.toString()).collectAsList()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                sb.append(r.schema().fields()[i].name()).append('=');
                value(r.get(i), sb);
                sb.append(' ');
            }
            rows.add(sb.toString());
        }
        rows.sort(null);
        return rows;
    }

    private static void value(Object v, StringBuilder sb) {
        if (v instanceof Double d) {
            sb.append(Long.toHexString(Double.doubleToRawLongBits(d)));
        } else if (v instanceof Float f) {
            sb.append(Integer.toHexString(Float.floatToRawIntBits(f)));
        } else if (v instanceof scala.collection.Seq<?> seq) {
            sb.append('[');
            scala.collection.Iterator<?> it = seq.iterator();
            while (it.hasNext()) {
                value(it.next(), sb);
                sb.append(',');
            }
            sb.append(']');
        } else if (v instanceof Row row) {
            sb.append('{');
            for (int i = 0; i < row.size(); i++) {
                value(row.get(i), sb);
                sb.append(',');
            }
            sb.append('}');
        } else {
            sb.append(v);
        }
    }

    private static void leaves(JsonNode n, String at, List<String> out) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!NOT_RUN_VALUES.contains(e.getKey())) {
                    leaves(e.getValue(), at + "." + e.getKey(), out);
                }
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                leaves(n.get(i), at + "[" + i + "]", out);
            }
        } else if (n.isFloatingPointNumber()) {
            out.add(at + "=" + Long.toHexString(Double.doubleToRawLongBits(n.doubleValue())));
        } else {
            out.add(at + "=" + n);
        }
    }

    /** The first difference between two runs' values, or null when they are the same. */
    static String firstDifference(Map<String, List<String>> a, Map<String, List<String>> b) {
        if (!a.keySet().equals(b.keySet())) {
            return "different files: " + a.keySet() + " vs " + b.keySet();
        }
        int files = 0;
        String first = null;
        for (Map.Entry<String, List<String>> e : a.entrySet()) {
            List<String> x = e.getValue();
            List<String> y = b.get(e.getKey());
            if (!x.equals(y)) {
                files++;
                if (first == null) {
                    int i = 0;
                    while (i < Math.min(x.size(), y.size()) && x.get(i).equals(y.get(i))) {
                        i++;
                    }
                    first = e.getKey() + ": " + (i < x.size() ? x.get(i) : "(end)") + " vs "
                            + (i < y.size() ? y.get(i) : "(end)");
                }
            }
        }
        return first == null ? null : files + " of " + a.size() + " outputs differ, first " + first;
    }
}
