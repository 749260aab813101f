package org.gps.io;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this process computed from a folder of the run directory, kept with the folder's listing
 * ({@link HadoopFiles#listing}: file names, sizes and modification times) and handed out again only
 * while the listing is the same: a file written, replaced or removed since makes it a miss. A key
 * names the folder and whatever else the value depends on. Holds at most {@code capacity} values,
 * the least recently used dropped first; a value whose folder cannot be listed is not kept. Lives as
 * long as the JVM, so a JVM per step starts empty and the loop of {@code gps run} reuses values
 * across steps and iterations. Thread-safe.
 *
 * @param <V> an immutable value, or one every caller only reads
 */
public final class FolderCache<V> {
    private record Entry<V>(String listing, V value) {
    }

    private final Map<String, Entry<V>> entries;

    public FolderCache(int capacity) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The value kept under {@code key} with exactly {@code listing}, or null. */
    public synchronized V get(String key, String listing) {
        Entry<V> e = entries.get(key);
        return e != null && listing != null && e.listing().equals(listing) ? e.value() : null;
    }

    /**
     * Keeps {@code value} under {@code key} for {@code listing}, which must have been taken before
     * the value was read or computed from the folder (so a change in between leaves a stale
     * listing, never a stale value); a null listing drops the key instead.
     */
    public synchronized void put(String key, String listing, V value) {
        if (listing == null) {
            entries.remove(key);
        } else {
            entries.put(key, new Entry<>(listing, value));
        }
    }

    /** How many values are kept. */
    public synchronized int size() {
        return entries.size();
    }
}
