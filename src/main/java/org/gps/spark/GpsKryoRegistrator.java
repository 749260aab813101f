package org.gps.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.factories.SerializerFactory;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;

import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Makes Spark's Kryo (version 4, set with {@code spark.kryo.registrator}) carry what the jobs
 * broadcast, cache and collect exactly as Java serialization would. Kryo 4's default field
 * serializer gets three kinds of class wrong: records (it writes final fields through offsets the
 * JVM refuses for records), classes with their own serialization hooks (e.g. Gmm rebuilds its
 * transient Cholesky factors in readObject; a field copy leaves them null), and the JDK's
 * unmodifiable and immutable collections (it refills them with {@code add}, which they reject).
 * Records go through their canonical constructor, the other two through Java serialization;
 * everything else keeps Kryo's field serializer.
 */
public final class GpsKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.setDefaultSerializer(new SerializerFactory() {
            @Override
            @SuppressWarnings({"rawtypes", "unchecked"})
            public Serializer makeSerializer(Kryo k, Class type) {
                if (Serializable.class.isAssignableFrom(type) && hasSerializationHooks(type)) {
                    return new JavaSerializer();
                }
                if (type.isRecord()) {
                    return new RecordSerializer(type);
                }
                return new FieldSerializer(k, type);
            }
        });
        JavaSerializer java = new JavaSerializer();
        for (Class<?> c : jdkCollectionsKryoCannotFill()) {
            kryo.register(c, java);
        }
    }

    /** True when the class or a superclass customises Java serialization, which a field copy would skip. */
    static boolean hasSerializationHooks(Class<?> type) {
        Set<String> hooks = Set.of("readObject", "writeObject", "readResolve", "writeReplace", "readObjectNoData");
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (hooks.contains(m.getName())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The runtime classes behind List.of, Map.of, Collections.unmodifiable*, Arrays.asList and friends. */
    static List<Class<?>> jdkCollectionsKryoCannotFill() {
        List<Object> samples = new ArrayList<>();
        samples.addAll(List.of(List.of(), List.of(1), List.of(1, 2, 3), Set.of(), Set.of(1), Set.of(1, 2, 3),
                Map.of(), Map.of(1, 1), Map.of(1, 1, 2, 2)));
        samples.addAll(List.of(Arrays.asList(1, 2), Collections.emptyList(), Collections.emptyMap(),
                Collections.emptySet(), Collections.singletonList(1), Collections.singleton(1),
                Collections.singletonMap(1, 1)));
        samples.addAll(List.of(Collections.unmodifiableList(new ArrayList<>()),
                Collections.unmodifiableList(new java.util.LinkedList<>()),
                Collections.unmodifiableCollection(new ArrayList<>()), Collections.unmodifiableSet(new HashSet<>()),
                Collections.unmodifiableSortedSet(new TreeSet<>()), Collections.unmodifiableMap(new HashMap<>()),
                Collections.unmodifiableSortedMap(new TreeMap<>()), new ArrayList<>(List.of(1)).stream().toList()));
        List<Class<?>> classes = new ArrayList<>();
        for (Object s : samples) {
            if (!classes.contains(s.getClass())) {
                classes.add(s.getClass());
            }
        }
        return classes;
    }

    /** Writes a record's components in order; reads them back into its canonical constructor. */
    public static final class RecordSerializer<T> extends Serializer<T> {
        private final Method[] accessors;
        private final Constructor<T> constructor;

        public RecordSerializer(Class<T> type) {
            RecordComponent[] components = type.getRecordComponents();
            accessors = new Method[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                accessors[i] = components[i].getAccessor();
                accessors[i].setAccessible(true);
                types[i] = components[i].getType();
            }
            try {
                constructor = type.getDeclaredConstructor(types);
                constructor.setAccessible(true);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("record without canonical constructor: " + type.getName(), e);
            }
        }

        @Override
        public void write(Kryo kryo, Output output, T object) {
            try {
                for (Method accessor : accessors) {
                    kryo.writeClassAndObject(output, accessor.invoke(object));
                }
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read a component of " + object.getClass().getName(), e);
            }
        }

        @Override
        public T read(Kryo kryo, Input input, Class<T> type) {
            Object[] values = new Object[accessors.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = kryo.readClassAndObject(input);
            }
            try {
                return constructor.newInstance(values);
            } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot rebuild a " + type.getName(), e);
            }
        }
    }
}
