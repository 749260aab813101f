package org.gps.io;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.util.stream.Collectors;

/** Parser errors of YAML and JSON files (configs, ingest mappings) as one line. */
public final class YamlErrors {
    private YamlErrors() {
    }

    /**
     * The parser's own words without its location blocks: the YAML parser follows each statement
     * with a line "in 'reader', line L, column C:", a quote of the source line and a caret, all
     * indented, which on a console read like a stack trace; the caller names the location.
     */
    public static String oneLine(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        return m.lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .map(String::strip).collect(Collectors.joining(": "));
    }
}
