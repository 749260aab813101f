package org.gps.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.ShutdownHookManager;
import org.gps.core.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lease on a folder, held through a small JSON file in it ({@value #FILE}) and
 * renewed by a daemon thread (docs/run-directory.md). Creating the file is the acquisition: it
 * is created only if absent, so of two writers one gets it and the other is refused, naming the
 * holder. A lease whose holder is gone is taken over: on the same host at once when the holder's
 * process is no longer alive (a kill -9 and a rerun need no wait), on another host once its
 * heartbeat is older than {@link #staleAfter()}.
 *
 * <p>Takeover goes through an exclusive claim named after the stale lease, under which the taker
 * checks that the file still holds that lease before deleting it; then every taker competes for
 * the exclusive create again. The holder's heartbeat checks that the file is still its own and,
 * when it is not, reports the loss to {@link LossListener}.
 */
public final class DirectoryLease implements AutoCloseable {
    /** Name of the lease file inside the leased folder. */
    public static final String FILE = "_gps.lock";
    /** System property (seconds) that sets how old a heartbeat makes a lease stale. */
    public static final String STALE_PROPERTY = "gps.lock.stale.seconds";
    /** Environment variable with the same meaning; the system property wins. */
    public static final String STALE_ENV = "GPS_LOCK_STALE_SECONDS";
    /**
     * How far two readings of one process's start time may differ. The JVM derives it from the
     * host's boot time, and two JVMs were seen to read the same process's start more than a second
     * apart under heavy load (with a 1 s tolerance that let a second writer in).
     * A pid reused by another process started later than the holder lived, so a wider tolerance
     * costs at worst a wait for the heartbeat to go stale, never two writers.
     */
    static final Duration START_TOLERANCE = Duration.ofSeconds(10);

    /** Default staleness: a heartbeat older than this means its holder is gone. */
    public static final Duration DEFAULT_STALE = Duration.ofMinutes(3);

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryLease.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORMAT = "gps-lease";
    private static final int TAKEOVER_ATTEMPTS = 5;
    // Above FileSystem's own hook, so that the release runs while the file systems are still open.
    private static final int SHUTDOWN_PRIORITY = FileSystem.SHUTDOWN_HOOK_PRIORITY + 10;

    /** Told once when the heartbeat finds the lease taken by someone else. */
    @FunctionalInterface
    public interface LossListener {
        void leaseLost(String message);
    }

    /** What a lease file holds. */
    public record Holder(String token, String user, String host, long pid, Instant processStart, String command,
                         Instant acquired, Instant heartbeat) {
        public String toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.put("format", FORMAT);
            n.put("version", 1);
            n.put("token", token);
            n.put("user", user);
            n.put("host", host);
            n.put("pid", pid);
            n.put("process_start", processStart == null ? null : processStart.toString());
            n.put("command", command);
            n.put("acquired", acquired.toString());
            n.put("heartbeat", heartbeat.toString());
            return n.toString() + "\n";
        }

        static Holder fromJson(String text) {
            try {
                JsonNode n = JSON.readTree(text);
                if (n == null || !FORMAT.equals(n.path("format").asText()) || !n.hasNonNull("token")) {
                    throw new IllegalArgumentException("not a " + FORMAT + " file");
                }
                String start = n.path("process_start").asText(null);
                return new Holder(n.get("token").asText(), n.path("user").asText("?"), n.path("host").asText("?"),
                        n.path("pid").asLong(-1), start == null ? null : Instant.parse(start),
                        n.path("command").asText(""), Instant.parse(n.path("acquired").asText()),
                        Instant.parse(n.path("heartbeat").asText()));
            } catch (JsonProcessingException | java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("not a " + FORMAT + " file: " + e.getMessage(), e);
            }
        }

        /** "user@host pid N since T (heartbeat S s ago)", as the refusal names the holder. */
        public String describe(Instant now) {
            return user + "@" + host + " pid " + pid + (command.isEmpty() ? "" : " (" + command + ")") + " since "
                    + acquired + " (heartbeat " + Math.max(0, Duration.between(heartbeat, now).toSeconds()) + " s ago)";
        }
    }

    private final Configuration conf;
    private final Path folder;
    private final Path file;
    private final boolean createdFolder;
    private final ScheduledExecutorService heartbeat;
    private final Runnable shutdownHook;
    private volatile Holder holder;
    private volatile boolean released;
    private volatile String lost;

    private DirectoryLease(Configuration conf, Path folder, boolean createdFolder, Holder holder, LossListener onLoss) {
        this.conf = conf;
        this.folder = folder;
        this.file = new Path(folder, FILE);
        this.createdFolder = createdFolder;
        this.holder = holder;
        long every = heartbeatInterval().toMillis();
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gps-lease-heartbeat " + folder);
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(() -> beat(onLoss), every, every, TimeUnit.MILLISECONDS);
        this.shutdownHook = this::close;
        try {
            ShutdownHookManager.get().addShutdownHook(shutdownHook, SHUTDOWN_PRIORITY);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the caller will not get far; release stays explicit.
        }
    }

    /**
     * Takes the lease on {@code folder} (created when missing) for {@code command}.
     *
     * @param what   how the refusal names the folder, e.g. "run directory"
     * @param onLoss told when the heartbeat finds the lease taken over
     * @throws BadInputException when a live holder has it, naming the holder, or the folder is a file
     */
    public static DirectoryLease acquire(Configuration conf, String folderUri, String what, String command,
                                         LossListener onLoss) {
        Path folder = new Path(folderUri);
        FileSystem fs = HadoopFiles.fileSystem(conf, folder);
        staleAfter(); // a bad setting is refused before anything is created
        boolean created;
        try {
            FileStatus st = fs.getFileStatus(folder);
            if (!st.isDirectory()) {
                throw new BadInputException(what + " " + folderUri + " is a regular file; expected a folder");
            }
            created = false;
        } catch (FileNotFoundException e) {
            try {
                if (!fs.mkdirs(folder)) {
                    throw new BadInputException(what + " " + folderUri + ": cannot be created (permission denied, "
                            + "or a file in its path); expected a folder this user may write");
                }
            } catch (org.apache.hadoop.security.AccessControlException io) {
                throw new BadInputException(what + " " + folderUri + ": permission denied; cannot create it", io);
            } catch (IOException io) {
                throw new UncheckedIOException("cannot create " + folderUri, io);
            }
            created = true;
        } catch (org.apache.hadoop.security.AccessControlException e) {
            throw new BadInputException(what + " " + folderUri + ": permission denied", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + folderUri, e);
        }
        try {
            return take(conf, folderUri, created, what, command, onLoss);
        } catch (RuntimeException e) {
            if (created) {
                removeIfEmpty(HadoopFiles.sideFileSystem(conf, folder), folder);
            }
            throw e;
        }
    }

    private static DirectoryLease take(Configuration conf, String folderUri, boolean created, String what,
                                       String command, LossListener onLoss) {
        Path folder = new Path(folderUri);
        Path file = new Path(folder, FILE);
        for (int attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
            Instant now = Instant.now();
            Holder mine = new Holder(UUID.randomUUID().toString(), user(), host(), ProcessHandle.current().pid(),
                    processStart(ProcessHandle.current()), command, now, now);
            if (createExclusive(conf, file, mine.toJson())) {
                LOG.info("took the lease {} for {}", file, command);
                return new DirectoryLease(conf, folder, created, mine, onLoss);
            }
            Optional<Holder> current = read(conf, file);
            if (current.isEmpty() && !HadoopFiles.exists(conf, file.toString())) {
                continue; // released between our create and our read: try again
            }
            String stale = staleReason(conf, file, current.orElse(null), Instant.now());
            if (stale == null) {
                throw new BadInputException(what + " " + folderUri + " is locked by "
                        + current.map(h -> h.describe(Instant.now())).orElse("a writer whose lease file is being written")
                        + "; wait until it ends (a lease without a heartbeat for "
                        + staleAfter().toSeconds() + " s is taken over), or remove " + file
                        + " if that process is gone for certain");
            }
            LOG.warn("taking over the stale lease {}: {}", file, stale);
            takeOver(conf, file, current.orElse(null));
        }
        throw new BadInputException(what + " " + folderUri + ": other processes keep taking its lease " + file
                + "; run one writer at a time");
    }

    /** The lease's holder as the file says, or empty when there is no lease file. */
    public static Optional<Holder> holderOf(Configuration conf, String folderUri) {
        return read(conf, new Path(new Path(folderUri), FILE));
    }

    /** How old a heartbeat must be for the lease to count as abandoned. */
    public static Duration staleAfter() {
        String s = System.getProperty(STALE_PROPERTY);
        if (s == null || s.isBlank()) {
            s = System.getenv(STALE_ENV);
        }
        if (s == null || s.isBlank()) {
            return DEFAULT_STALE;
        }
        try {
            double seconds = Double.parseDouble(s.trim());
            if (!(seconds > 0) || seconds > 86400 * 365) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis((long) (seconds * 1000));
        } catch (NumberFormatException e) {
            throw new BadInputException(STALE_PROPERTY + " / " + STALE_ENV + ": expected seconds > 0, got '" + s + "'");
        }
    }

    /** A sixth of the staleness, so that five heartbeats in a row can be late before a lease looks abandoned. */
    static Duration heartbeatInterval() {
        long ms = staleAfter().toMillis() / 6;
        return Duration.ofMillis(Math.max(100, Math.min(30_000, ms)));
    }

    public Holder holder() {
        return holder;
    }

    /** Null while the lease is held; otherwise why it was lost. */
    public String lostReason() {
        return lost;
    }

    /** Releases the lease: deletes the file if it is still ours, and the folder if we created it and it is empty. */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        heartbeat.shutdownNow();
        try {
            ShutdownHookManager.get().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // called from the hook itself during shutdown
        }
        FileSystem fs = HadoopFiles.sideFileSystem(conf, file);
        try {
            Optional<Holder> current = read(conf, file);
            if (current.isPresent() && current.get().token().equals(holder.token())) {
                fs.delete(file, false);
            }
            if (createdFolder) {
                removeIfEmpty(fs, folder);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot release the lease {}: {}", file, e.toString());
        }
        LOG.info("released the lease {}", file);
    }

    private static void removeIfEmpty(FileSystem fs, Path folder) {
        try {
            if (fs.listStatus(folder).length == 0) {
                fs.delete(folder, false);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove the empty folder {}: {}", folder, e.toString());
        }
    }

    private synchronized void beat(LossListener onLoss) {
        if (released || lost != null) {
            return;
        }
        try {
            Optional<Holder> current = read(conf, file);
            if (current.isEmpty() || !current.get().token().equals(holder.token())) {
                lost = "lost the lease " + file + ": "
                        + current.map(h -> "it is now held by " + h.describe(Instant.now())).orElse("the file is gone")
                        + "; another writer works in " + folder + ", so this command stops";
                LOG.error(lost);
                heartbeat.shutdown();
                onLoss.leaseLost(lost);
                return;
            }
            Holder renewed = new Holder(holder.token(), holder.user(), holder.host(), holder.pid(), holder.processStart(),
                    holder.command(), holder.acquired(), Instant.now());
            rewrite(conf, file, renewed);
            holder = renewed;
        } catch (RuntimeException e) {
            // A slow or flaky store: the next beat tries again; staleness allows several misses.
            LOG.warn("cannot renew the lease {}: {}", file, e.toString());
        }
    }

    /** Null when the holder may be alive; otherwise why the lease counts as abandoned. */
    static String staleReason(Configuration conf, Path file, Holder h, Instant now) {
        Duration limit = staleAfter();
        if (h == null) {
            // Unreadable: a holder killed while writing it, or a foreign file. Judge by its age.
            Instant modified = modified(conf, file);
            return modified != null && Duration.between(modified, now).compareTo(limit) > 0
                    ? "the lease file is unreadable and older than " + limit.toSeconds() + " s" : null;
        }
        if (h.host().equals(host())) {
            Optional<ProcessHandle> p = ProcessHandle.of(h.pid());
            if (p.isEmpty() || !p.get().isAlive()) {
                return "its holder, pid " + h.pid() + " on this host, is no longer running";
            }
            Instant start = processStart(p.get());
            if (h.processStart() != null && start != null
                    && Duration.between(h.processStart(), start).abs().compareTo(START_TOLERANCE) > 0) {
                return "pid " + h.pid() + " on this host is another process now (started " + start + ")";
            }
        }
        Duration age = Duration.between(h.heartbeat(), now);
        return age.compareTo(limit) > 0
                ? "its last heartbeat is " + age.toSeconds() + " s old (limit " + limit.toSeconds() + " s)" : null;
    }

    /**
     * Removes the lease judged stale, if it still is that lease. Takers first create a claim named
     * after the stale lease (only one can), check under it that the file still holds that lease,
     * delete it, then drop the claim; every taker then races for an exclusive create, which one
     * wins. So a fresh lease is never removed by a taker that read the stale one earlier.
     */
    private static void takeOver(Configuration conf, Path file, Holder stale) {
        FileSystem fs = HadoopFiles.sideFileSystem(conf, file);
        Instant staleModified = stale == null ? modified(conf, file) : null;
        String id = stale != null ? stale.token()
                : "unreadable-" + (staleModified == null ? 0 : staleModified.toEpochMilli());
        Path claim = new Path(file.getParent(), "." + FILE + ".takeover-" + id);
        if (!createExclusive(conf, claim, "{\"host\":\"" + host() + "\",\"pid\":" + ProcessHandle.current().pid()
                + "}\n")) {
            // Another taker is at it; a claim as old as the staleness limit is one whose taker died.
            Instant claimed = modified(conf, claim);
            if (claimed != null && Duration.between(claimed, Instant.now()).compareTo(staleAfter()) > 0) {
                deleteQuietly(fs, claim);
            }
            return;
        }
        try {
            Optional<Holder> now = read(conf, file);
            boolean same = stale != null
                    ? now.isPresent() && now.get().token().equals(stale.token())
                    : now.isEmpty() && HadoopFiles.exists(conf, file.toString())
                    && java.util.Objects.equals(modified(conf, file), staleModified);
            if (same) {
                fs.delete(file, false);
                if (stale != null) {
                    // A holder killed while renewing leaves its temporary beside the lease.
                    deleteQuietly(fs, new Path(file.getParent(), "." + FILE + ".beat-" + stale.token()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take over the stale lease " + file, e);
        } finally {
            deleteQuietly(fs, claim);
        }
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            fs.delete(p, false);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.toString());
        }
    }

    /**
     * Rewrites the lease with its new heartbeat. On the local file system through a temporary file
     * and an atomic rename, so that a reader never sees it half-written.
     */
    private static void rewrite(Configuration conf, Path file, Holder h) {
        FileSystem fs = HadoopFiles.sideFileSystem(conf, file);
        if (fs instanceof RawLocalFileSystem local) {
            java.nio.file.Path target = local.pathToFile(file).toPath();
            java.nio.file.Path tmp = target.resolveSibling("." + FILE + ".beat-" + h.token());
            try {
                Files.writeString(tmp, h.toJson());
                Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot renew " + file, e);
            }
            return;
        }
        HadoopFiles.writeUtf8(conf, file, h.toJson());
    }

    /** Creates {@code file} with {@code text} only if it does not exist; false when it does. */
    private static boolean createExclusive(Configuration conf, Path file, String text) {
        FileSystem fs = HadoopFiles.sideFileSystem(conf, file);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            if (fs instanceof RawLocalFileSystem local) {
                // Hadoop's local create(overwrite=false) checks, then opens: not exclusive. O_EXCL is.
                try (OutputStream out = Files.newOutputStream(local.pathToFile(file).toPath(),
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    out.write(bytes);
                }
                return true;
            }
            try (OutputStream out = fs.create(file, false)) {
                out.write(bytes);
            }
            return true;
        } catch (FileAlreadyExistsException | org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (java.nio.file.AccessDeniedException | org.apache.hadoop.security.AccessControlException e) {
            throw new BadInputException(file.getParent() + ": permission denied; a command that writes into it must "
                    + "be able to create " + file, e);
        } catch (IOException e) {
            if (HadoopFiles.exists(conf, file.toString())) {
                return false; // stores that report an existing file with a plain IOException
            }
            throw new UncheckedIOException("cannot create the lease " + file, e);
        }
    }

    private static Optional<Holder> read(Configuration conf, Path file) {
        String text;
        try {
            if (!HadoopFiles.isFile(conf, file)) {
                return Optional.empty();
            }
            text = HadoopFiles.readUtf8(conf, file);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof FileNotFoundException) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            return Optional.of(Holder.fromJson(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Instant modified(Configuration conf, Path file) {
        try {
            return Instant.ofEpochMilli(HadoopFiles.fileSystem(conf, file).getFileStatus(file).getModificationTime());
        } catch (IOException e) {
            return null;
        }
    }

    private static Instant processStart(ProcessHandle p) {
        return p.info().startInstant().orElse(null);
    }

    private static String user() {
        return System.getProperty("user.name", "?");
    }

    /** This host's name, as leases record it. */
    public static String host() {
        String h = host;
        if (h == null) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                String env = System.getenv("HOSTNAME");
                h = env == null ? "unknown-host" : env;
            }
            host = h;
        }
        return h;
    }

    private static volatile String host;
}
