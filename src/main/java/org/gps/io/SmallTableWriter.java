package org.gps.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.datasources.parquet.SparkToParquetSchemaConverter;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Writes a small table the driver already holds (controllers, policy linearizations, a run's
 * fitted dynamics and their GMMs) as one Parquet file, from the driver, without a Spark job. On
 * such a table a Spark write costs far more than its rows: a job, its planning and the output
 * committer's setup and commit, about 50-150 ms each, several times per iteration.
 *
 * <p>The file is what Spark would write: the Parquet schema from Spark's own converter (required
 * columns for non-nullable fields, three-level lists), snappy compression, and the Spark schema in
 * the footer's metadata where Spark keeps it, and Spark's {@code _SUCCESS} beside it, so
 * {@code spark.read().parquet} returns the same schema and values as from a folder Spark wrote. Types: int, long, double, boolean, string and
 * arrays of those; anything else is refused, as a programming error.
 */
public final class SmallTableWriter {
    /** The footer key under which Spark keeps a file's Spark schema (as JSON). */
    static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";
    /** The one file of a table, named as Spark names its first part. */
    static final String FILE = "part-00000.snappy.parquet";
    /** The empty file Spark leaves in a folder it finished writing. */
    static final String SUCCESS = "_SUCCESS";

    private SmallTableWriter() {
    }

    /**
     * Writes {@code rows} (values in the order of {@code schema}'s fields) into a new folder
     * {@code folder} as one Parquet file; returns the number of rows written. The folder must not
     * exist (it is a temporary folder that {@link AtomicOutput} publishes).
     */
    public static long write(Configuration conf, String folder, StructType schema, List<Row> rows) {
        for (StructField f : schema.fields()) {
            requireSupported(f.name(), f.dataType());
        }
        MessageType type = new SparkToParquetSchemaConverter(SQLConf.get()).convert(schema);
        Path file = new Path(folder, FILE);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf))
                .withConf(conf)
                .withType(type)
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withExtraMetaData(Map.of(SPARK_SCHEMA_KEY, schema.json()))
                .build()) {
            SimpleGroupFactory groups = new SimpleGroupFactory(type);
            StructField[] fields = schema.fields();
            for (Row row : rows) {
                Group g = groups.newGroup();
                for (int i = 0; i < fields.length; i++) {
                    if (!row.isNullAt(i)) {
                        add(g, fields[i].name(), fields[i].dataType(), row.get(i));
                    } else if (!fields[i].nullable()) {
                        throw new IllegalArgumentException("a null in non-nullable column " + fields[i].name()
                                + " of the table written to " + folder);
                    }
                }
                writer.write(g);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the table " + folder, e);
        }
        try {
            // Spark's marker of a finished write: tools that tell a table folder by it see one.
            file.getFileSystem(conf).create(new Path(folder, SUCCESS), false).close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + SUCCESS + " into " + folder, e);
        }
        return rows.size();
    }

    private static void requireSupported(String name, DataType t) {
        DataType scalar = t instanceof ArrayType a ? a.elementType() : t;
        if (!(scalar.equals(DataTypes.IntegerType) || scalar.equals(DataTypes.LongType)
                || scalar.equals(DataTypes.DoubleType) || scalar.equals(DataTypes.BooleanType)
                || scalar.equals(DataTypes.StringType))) {
            throw new IllegalArgumentException("column " + name + ": " + t.simpleString()
                    + " is not a type the driver's table writer supports");
        }
    }

    private static void add(Group g, String name, DataType t, Object value) {
        if (t instanceof ArrayType a) {
            // Spark's standard list layout: <name> (LIST) { repeated group list { element } }.
            Group list = g.addGroup(name);
            if (value instanceof double[] d && a.elementType().equals(DataTypes.DoubleType)) {
                for (double v : d) {
                    list.addGroup("list").append("element", v);
                }
                return;
            }
            for (Object element : arrayValues(value)) {
                Group entry = list.addGroup("list");
                if (element != null) {
                    add(entry, "element", a.elementType(), element);
                } else if (!a.containsNull()) {
                    throw new IllegalArgumentException("a null element in column " + name
                            + ", whose elements are not nullable");
                }
            }
        } else if (t.equals(DataTypes.IntegerType)) {
            g.append(name, (Integer) value);
        } else if (t.equals(DataTypes.LongType)) {
            g.append(name, ((Number) value).longValue());
        } else if (t.equals(DataTypes.DoubleType)) {
            g.append(name, (Double) value);
        } else if (t.equals(DataTypes.BooleanType)) {
            g.append(name, (Boolean) value);
        } else {
            g.append(name, (String) value);
        }
    }

    private static List<?> arrayValues(Object value) {
        if (value instanceof int[] d) {
            return java.util.Arrays.stream(d).boxed().toList();
        }
        if (value instanceof long[] d) {
            return java.util.Arrays.stream(d).boxed().toList();
        }
        if (value instanceof Object[] o) {
            return java.util.Arrays.asList(o);
        }
        if (value instanceof List<?> l) {
            return l;
        }
        if (value instanceof scala.collection.Seq<?> s) {
            return scala.jdk.javaapi.CollectionConverters.asJava(s);
        }
        throw new IllegalArgumentException("not an array value: " + value.getClass().getName());
    }
}
