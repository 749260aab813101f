package org.gps.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.gps.core.BadInputException;

/**
 * The one rule for where a command may write (docs/run-directory.md, "Outputs"): never over
 * something that is not ours. Checked before any work, so a refusal changes nothing. An output
 * is refused when it is a regular file where a folder is written, when it is, contains or lies
 * inside one of the command's inputs, and when it exists and is not an earlier output of the
 * same command (told by the writer recorded in its {@value AtomicOutput#MARKER}); an empty
 * folder counts as new. Replacing the command's own earlier output takes {@code --overwrite}.
 */
public final class OutputGuard {
    private OutputGuard() {
    }

    /** An input of the command: the option that names it and its path (a glob stands for what it matches). */
    public record Input(String option, String path) {
    }

    /**
     * An output location.
     *
     * @param option      the option that names it, e.g. {@code --out}
     * @param path        the location
     * @param command     the command, as messages name it, e.g. {@code gps fit-dynamics}
     * @param ownerPrefix how the command's completion markers begin their writtenBy
     * @param overwrite   whether the user asked to replace an earlier output of the command
     */
    public record Output(String option, String path, String command, String ownerPrefix, boolean overwrite) {
        String label() {
            return option + " " + path;
        }
    }

    /** Refuses a folder output that would replace or mix with something not ours; see the class comment. */
    public static void checkFolder(Configuration conf, Output out, List<Input> inputs) {
        Path target = qualified(conf, new Path(out.path()));
        checkAgainstInputs(conf, out.label(), target, inputs);
        FileStatus st = status(conf, target);
        if (st == null) {
            return;
        }
        if (!st.isDirectory()) {
            throw new BadInputException(out.label() + ": is a regular file; expected a folder that does not exist yet, "
                    + "an empty one, or an earlier output of " + out.command());
        }
        if (isEmpty(conf, target)) {
            return;
        }
        requireOwn(conf, out, target, target);
    }

    /**
     * Refuses a single-file output (with an optional folder of companions beside it, e.g. a
     * report's images) that is a folder, overlaps an input, or exists without being ours.
     *
     * @param companion the folder written with the file, or null; the file counts as ours when this
     *                  folder carries the command's marker
     */
    public static void checkFile(Configuration conf, Output out, String companion, List<Input> inputs) {
        Path target = qualified(conf, new Path(out.path()));
        checkAgainstInputs(conf, out.label(), target, inputs);
        Path side = companion == null ? null : qualified(conf, new Path(companion));
        if (side != null) {
            checkAgainstInputs(conf, out.label() + " (its folder " + side + ")", side, inputs);
        }
        FileStatus st = status(conf, target);
        FileStatus sideSt = side == null ? null : status(conf, side);
        if (st != null && st.isDirectory()) {
            throw new BadInputException(out.label() + ": is a folder; expected a file path");
        }
        if (sideSt != null && !sideSt.isDirectory()) {
            throw new BadInputException(out.label() + ": " + side + " (where its companion files go) is a regular "
                    + "file; expected a folder or nothing there");
        }
        boolean sideInUse = sideSt != null && !isEmpty(conf, side);
        if (st == null && !sideInUse) {
            return;
        }
        if (side == null) {
            // A plain file carries no marker: only the user can say it may go.
            if (!out.overwrite()) {
                throw new BadInputException(out.label() + ": exists; choose another file, or add --overwrite to "
                        + "replace it");
            }
            return;
        }
        requireOwn(conf, out, side, target);
    }

    /** How {@code path} relates to {@code other} ("is", "contains", "lies inside"), or null when apart; both qualified. */
    static String overlap(Path path, Path other) {
        String a = withSlash(path);
        String b = withSlash(other);
        if (!sameStore(path.toUri(), other.toUri())) {
            return null;
        }
        if (a.equals(b)) {
            return "is";
        }
        if (b.startsWith(a)) {
            return "contains";
        }
        if (a.startsWith(b)) {
            return "lies inside";
        }
        return null;
    }

    private static void requireOwn(Configuration conf, Output out, Path folder, Path shown) {
        Path marker = new Path(folder, AtomicOutput.MARKER);
        CompletionMarker m = null;
        if (HadoopFiles.isFile(conf, marker)) {
            try {
                m = CompletionMarker.fromJson(HadoopFiles.readUtf8(conf, marker));
            } catch (IllegalArgumentException e) {
                m = null;
            }
        }
        if (m == null || !m.writtenBy().startsWith(out.ownerPrefix())) {
            String what = m == null ? "holds files and no " + AtomicOutput.MARKER + " marker"
                    : "holds an output of '" + m.writtenBy() + "'";
            throw new BadInputException(out.label() + ": exists and is not an output of " + out.command() + " ("
                    + (folder.equals(shown) ? "it " : folder + " ") + what + "); choose a new or empty folder");
        }
        if (!out.overwrite()) {
            throw new BadInputException(out.label() + ": holds an earlier output of " + out.command() + " (completed "
                    + m.completedAt() + "); add --overwrite to replace it, or choose another folder");
        }
    }

    /**
     * Refuses an output location that is, contains or lies inside one of {@code inputs}.
     *
     * @param label how the message names the output, e.g. {@code --run-dir R}
     */
    public static void requireApart(Configuration conf, String label, String output, List<Input> inputs) {
        checkAgainstInputs(conf, label, qualified(conf, new Path(output)), inputs);
    }

    /** True when {@code path} is or lies inside {@code folder}, compared as qualified paths. */
    public static boolean isInside(Configuration conf, String path, String folder) {
        String how = overlap(qualified(conf, new Path(path)), qualified(conf, new Path(folder)));
        return "is".equals(how) || "lies inside".equals(how);
    }

    private static void checkAgainstInputs(Configuration conf, String label, Path target, List<Input> inputs) {
        for (Input in : inputs) {
            for (Path p : expand(conf, in.path())) {
                String how = overlap(target, p);
                if (how != null) {
                    String which = p.equals(qualified(conf, new Path(in.path()))) ? "" : " (" + p + ")";
                    throw new BadInputException(label + ": " + how + " the input " + in.option() + " " + in.path()
                            + which + "; choose a folder apart from the inputs");
                }
            }
        }
    }

    /** The input's qualified path, or every match of a glob (the glob itself when nothing matches). */
    private static List<Path> expand(Configuration conf, String input) {
        Path p = new Path(input);
        List<Path> out = new ArrayList<>();
        if (input.contains("*") || input.contains("?") || input.contains("[") || input.contains("{")) {
            try {
                FileStatus[] matches = HadoopFiles.fileSystem(conf, p).globStatus(p);
                if (matches != null) {
                    for (FileStatus s : matches) {
                        out.add(qualified(conf, s.getPath()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + input, e);
            }
        }
        if (out.isEmpty()) {
            out.add(qualified(conf, p));
        }
        return out;
    }

    /**
     * Absolute, with scheme and authority; on the local file system also with symbolic links
     * resolved, so that a link to the input is seen as the input.
     */
    static Path qualified(Configuration conf, Path p) {
        Path q = HadoopFiles.fileSystem(conf, p).makeQualified(p);
        URI u = q.toUri();
        if (!"file".equals(u.getScheme())) {
            return q;
        }
        java.nio.file.Path local = Paths.get(u).normalize();
        java.nio.file.Path existing = local;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return q;
        }
        try {
            java.nio.file.Path real = existing.toRealPath().resolve(existing.relativize(local));
            return new Path(real.toUri());
        } catch (IOException e) {
            return q;
        }
    }

    private static boolean sameStore(URI a, URI b) {
        return java.util.Objects.equals(a.getScheme(), b.getScheme())
                && java.util.Objects.equals(a.getAuthority(), b.getAuthority());
    }

    private static String withSlash(Path p) {
        String s = p.toUri().getPath();
        return s.endsWith("/") ? s : s + "/";
    }

    private static FileStatus status(Configuration conf, Path p) {
        try {
            return HadoopFiles.fileSystem(conf, p).getFileStatus(p);
        } catch (FileNotFoundException e) {
            return null;
        } catch (org.apache.hadoop.security.AccessControlException e) {
            throw new BadInputException(p + ": permission denied", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + p, e);
        }
    }

    private static boolean isEmpty(Configuration conf, Path folder) {
        try {
            FileStatus[] children = HadoopFiles.fileSystem(conf, folder).listStatus(folder);
            return children.length == 0;
        } catch (FileNotFoundException e) {
            return true;
        } catch (org.apache.hadoop.security.AccessControlException e) {
            throw new BadInputException(folder + ": permission denied", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }
}
