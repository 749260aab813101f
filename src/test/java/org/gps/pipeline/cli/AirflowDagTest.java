package org.gps.pipeline.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Airflow cannot be installed here, so the DAG file is read as text and held against the jar's
 * own command line (picocli's model of {@link Main}): every Spark task runs a subcommand that
 * exists, with options that exist and with every required option; the tasks run in the
 * pipeline's order; every template names a declared DAG param. Renaming an option in the Java
 * code, or a task's option in the DAG, fails it.
 */
class AirflowDagTest {
    static final Path DAG = Path.of(System.getProperty("basedir", System.getProperty("user.dir")),
            "jobs", "airflow", "gps_dag.py");

    /** A Spark task of the DAG: {@code var = spark_step("task_id", "subcommand", args...)}. */
    record SparkTask(String variable, String taskId, String subcommand, List<String> args) {
    }

    static String text;
    static Map<String, String> constants;
    static Map<String, SparkTask> sparkTasks;
    /** Every task of the DAG by its variable name: variable -> task_id. */
    static Map<String, String> taskIds;
    static Set<String> params;

    @BeforeAll
    static void readTheDag() throws Exception {
        text = Files.readString(DAG);
        constants = new LinkedHashMap<>();
        Matcher c = Pattern.compile("(?m)^([A-Z][A-Z_]*) = \"([^\"]*)\"$").matcher(text);
        while (c.find()) {
            constants.put(c.group(1), c.group(2));
        }
        sparkTasks = new LinkedHashMap<>();
        taskIds = new LinkedHashMap<>();
        Matcher t = Pattern.compile("(?m)^\\s+(\\w+) = spark_step\\(").matcher(text);
        while (t.find()) {
            List<String> positional = new ArrayList<>();
            for (String arg : topLevelArguments(text, t.end())) {
                if (!arg.matches("\\w+=.*")) {
                    positional.add(value(arg));
                }
            }
            SparkTask task = new SparkTask(t.group(1), positional.get(0), positional.get(1),
                    positional.subList(2, positional.size()));
            sparkTasks.put(task.variable(), task);
            taskIds.put(task.variable(), task.taskId());
        }
        Matcher o = Pattern.compile("(?m)^\\s+(\\w+) = \\w+Operator\\(\\s*task_id=\"([^\"]+)\"").matcher(text);
        while (o.find()) {
            taskIds.put(o.group(1), o.group(2));
        }
        params = new TreeSet<>();
        Matcher p = Pattern.compile("\"(\\w+)\": Param\\(").matcher(text);
        while (p.find()) {
            params.add(p.group(1));
        }
    }

    /** The comma-separated arguments of the call whose '(' ends just before {@code from}. */
    static List<String> topLevelArguments(String s, int from) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (!quoted && (ch == '(' || ch == '[' || ch == '{')) {
                depth++;
            } else if (!quoted && (ch == ')' || ch == ']' || ch == '}')) {
                if (depth == 0) {
                    if (!cur.toString().isBlank()) {
                        out.add(cur.toString().trim());
                    }
                    return out;
                }
                depth--;
            } else if (!quoted && depth == 0 && ch == ',') {
                out.add(cur.toString().trim());
                cur.setLength(0);
                continue;
            }
            cur.append(ch);
        }
        throw new AssertionError("unbalanced call in " + DAG);
    }

    /** A Python string literal or a module constant, as the string it stands for. */
    static String value(String expr) {
        if (expr.startsWith("\"") && expr.endsWith("\"")) {
            return expr.substring(1, expr.length() - 1);
        }
        String v = constants.get(expr);
        assertNotNull(v, "not a string literal nor a string constant of " + DAG + ": " + expr);
        return v;
    }

    static CommandSpec subcommand(String name) {
        CommandLine sub = new CommandLine(new Main()).getSubcommands().get(name);
        assertNotNull(sub, "the DAG runs 'gps " + name + "', which " + Main.class.getName() + " does not have");
        return sub.getCommandSpec();
    }

    /** Every --option is one the subcommand declares, with a value where it takes one; every required one is given. */
    static void assertArgumentsMatchTheCommandLine(SparkTask task) {
        CommandSpec spec = subcommand(task.subcommand());
        Map<String, OptionSpec> options = spec.optionsMap();
        Set<String> given = new TreeSet<>();
        List<String> args = task.args();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            assertTrue(a.startsWith("--"), task.taskId() + ": '" + a + "' is not an option (gps " + task.subcommand()
                    + " takes no positional arguments here)");
            OptionSpec opt = options.get(a);
            assertNotNull(opt, task.taskId() + ": gps " + task.subcommand() + " has no option " + a + "; it has "
                    + new TreeSet<>(options.keySet()));
            given.add(opt.longestName());
            if (opt.arity().max() > 0) {
                assertTrue(i + 1 < args.size() && !args.get(i + 1).startsWith("--"),
                        task.taskId() + ": " + a + " needs a value");
                String v = args.get(++i);
                assertTrue(v.matches(".*\\{\\{ params\\.\\w+[^}]*}}.*"),
                        task.taskId() + ": " + a + " should be templated from the DAG's params, is " + v);
            }
        }
        for (OptionSpec opt : spec.options()) {
            if (opt.required()) {
                assertTrue(given.contains(opt.longestName()), task.taskId() + ": gps " + task.subcommand()
                        + " requires " + opt.longestName());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"init", "sample", "fit-dynamics", "trajopt"})
    void eachStepHasATaskWhoseArgumentsMatchItsCommandLine(String step) {
        SparkTask task = sparkTasks.values().stream().filter(t -> t.subcommand().equals(step)).findFirst()
                .orElseThrow(() -> new AssertionError(DAG + " has no task for gps " + step));
        assertArgumentsMatchTheCommandLine(task);
    }

    @Test
    void trainPolicyTaskMatchesItsCommandLine() {
        SparkTask task = sparkTasks.values().stream().filter(t -> t.subcommand().equals("train-policy")).findFirst()
                .orElseThrow(() -> new AssertionError(DAG + " has no task for gps train-policy"));
        assertTrue(new CommandLine(new Main()).getSubcommands().containsKey("train-policy"),
                "the DAG runs gps train-policy, but the command line has no such subcommand");
        assertArgumentsMatchTheCommandLine(task);
    }

    @Test
    void everyStepTaskRunsTheIterationOfTheDagRunInTheRunDirectoryOfTheDagRun() {
        for (SparkTask t : sparkTasks.values()) {
            List<String> a = t.args();
            assertEquals("{{ params.run_dir }}", a.get(a.indexOf("--run-dir") + 1), t.taskId());
            if (!t.subcommand().equals("init")) {
                assertEquals("{{ params.iteration }}", a.get(a.indexOf("--iteration") + 1), t.taskId());
            }
        }
    }

    @Test
    void tasksRunInThePipelinesOrder() {
        Set<String> edges = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (line.contains(">>") && !line.trim().startsWith("#")) {
                String[] vars = line.trim().split("\\s*>>\\s*");
                for (int i = 0; i + 1 < vars.length; i++) {
                    assertTrue(taskIds.containsKey(vars[i]) && taskIds.containsKey(vars[i + 1]),
                            "unknown task in: " + line);
                    edges.add(taskIds.get(vars[i]) + " >> " + taskIds.get(vars[i + 1]));
                }
            }
        }
        assertEquals(new TreeSet<>(List.of(
                "first_iteration >> init",
                "init >> sample",
                "sample >> fit_dynamics",
                "fit_dynamics >> trajopt",
                "trajopt >> needs_policy",
                "needs_policy >> train_policy",
                "train_policy >> has_next_iteration",
                "has_next_iteration >> next_iteration")), edges);
        // sample runs when first_iteration skipped init (iteration > 0), and the chain goes on when needs_policy
        // skipped train_policy (TrajOpt).
        assertTrue(callOf("sample").contains("trigger_rule=\"none_failed\""), callOf("sample"));
        assertTrue(callOf("has_next_iteration").contains("trigger_rule=\"none_failed\""), callOf("has_next_iteration"));
    }

    /** The text of the call that creates the task {@code variable}. */
    static String callOf(String variable) {
        Matcher m = Pattern.compile("(?m)^\\s+" + variable + " = \\w+\\(").matcher(text);
        assertTrue(m.find(), variable);
        return String.join(", ", topLevelArguments(text, m.end()));
    }

    @Test
    void everySparkTaskSubmitsTheJarsMainClassWithTheDagsSparkConf() {
        String fn = text.substring(text.indexOf("def spark_step("), text.indexOf("def _first_iteration("));
        assertTrue(fn.contains("java_class=MAIN_CLASS"), fn);
        assertEquals(Main.class.getName(), constants.get("MAIN_CLASS"));
        assertTrue(fn.contains("application=\"{{ params.jar }}\""), fn);
        assertTrue(fn.contains("application_args=[step, *args]"), fn);
        assertTrue(fn.contains("conf=SPARK_CONF"), fn);
        Map<String, String> conf = sparkConf();
        // Plain Kryo cannot rebuild the Java records the steps shuffle: Kryo only with the registrator.
        if (conf.getOrDefault("spark.serializer", "").contains("Kryo")) {
            assertTrue(conf.containsKey("spark.kryo.registrator"), conf.toString());
        }
    }

    /** The settings the launcher and the cluster test use (jobs/spark-gps.conf) are the DAG's too. */
    @Test
    void sparkConfAgreesWithTheLaunchersPropertiesFile() throws Exception {
        Path file = DAG.getParent().getParent().resolve("spark-gps.conf");
        assertTrue(Files.isRegularFile(file), file + " is missing: the launcher, the cluster test and this DAG "
                + "share its settings");
        Map<String, String> conf = sparkConf();
        for (String line : Files.readAllLines(file)) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] kv = l.split("\\s+", 2);
            String dag = conf.get(kv[0]);
            assertNotNull(dag, "SPARK_CONF of " + DAG + " lacks " + kv[0] + " (" + file + " sets " + kv[1] + ")");
            if (!dag.contains("{{")) {
                assertEquals(kv[1], dag, kv[0]);
            }
        }
        String registrator = conf.get("spark.kryo.registrator");
        if (registrator != null) {
            Class.forName(registrator);
        }
    }

    /** SPARK_CONF's entries: {@code "spark.key": "value"}. */
    static Map<String, String> sparkConf() {
        int start = text.indexOf("SPARK_CONF = {");
        assertTrue(start >= 0, "the DAG defines SPARK_CONF");
        String block = text.substring(start, text.indexOf("\n}", start));
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"(spark\\.[\\w.]+)\": \"([^\"]*)\"").matcher(block);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    @Test
    void everyTemplateNamesADeclaredParam() {
        Matcher m = Pattern.compile("params\\.(\\w+)").matcher(text);
        int n = 0;
        while (m.find()) {
            assertTrue(params.contains(m.group(1)), "params." + m.group(1) + " is not declared; params: " + params);
            n++;
        }
        assertTrue(n > 10, "the DAG is templated from its params");
        assertTrue(params.containsAll(Set.of("run_dir", "iteration", "jar", "algorithm", "iterations", "config")),
                params.toString());
    }
}
