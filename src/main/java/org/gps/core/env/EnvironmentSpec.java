package org.gps.core.env;


import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** Which simulator and its parameters; serializable so Spark tasks build their own instance. */
public record EnvironmentSpec(String type, Map<String, Object> params) implements Serializable {
    public EnvironmentSpec {
        params = new LinkedHashMap<>(params);
    }

    public Environment create() {
        return Environments.create(type, params);
    }
}
