// PerfOrch's Java driver, part 2: deep copies of each call's arguments (see java_driver.java).
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** Deep copies of arguments: containers and arrays are rebuilt, immutable values shared. */
final class PerforchCopier {
    static final Class<?> ARRAYS_AS_LIST = Arrays.asList().getClass();
    final IdentityHashMap<Object, Object> copies = new IdentityHashMap<>();
    long bytes;  // rough size of what was copied, to bound memory per chunk

    static boolean immutable(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Character
                || v instanceof Enum || v instanceof Class || v instanceof Comparator) {
            return true;
        }
        Class<?> type = v.getClass();
        String name = type.getName();
        return type.isHidden() || type.isSynthetic()  // lambdas
                || v instanceof Number && name.startsWith("java.") && !name.startsWith("java.util.concurrent.")
                || v instanceof java.time.temporal.TemporalAccessor && name.startsWith("java.time.");
    }

    Object copy(Object v) {
        if (immutable(v)) return v;
        Object done = copies.get(v);
        if (done != null) return done;
        Class<?> type = v.getClass();
        if (type.isArray()) return copyArray(v, type);
        if (v instanceof Collection) return copyCollection((Collection<?>) v);
        if (v instanceof Map) return copyMap((Map<?, ?>) v);
        if (v instanceof java.util.Optional) {
            java.util.Optional<?> o = (java.util.Optional<?>) v;
            return o.isPresent() ? java.util.Optional.of(copy(o.get())) : o;
        }
        if (v instanceof StringBuilder) return remember(v, new StringBuilder((StringBuilder) v));
        if (v instanceof java.util.concurrent.atomic.AtomicInteger) {
            return remember(v, new java.util.concurrent.atomic.AtomicInteger(((Number) v).intValue()));
        }
        if (v instanceof java.util.concurrent.atomic.AtomicLong) {
            return remember(v, new java.util.concurrent.atomic.AtomicLong(((Number) v).longValue()));
        }
        if (v instanceof Map.Entry) {
            Map.Entry<?, ?> e = (Map.Entry<?, ?>) v;
            return remember(v, new java.util.AbstractMap.SimpleEntry<>(copy(e.getKey()), copy(e.getValue())));
        }
        if (type.isRecord()) return copyRecord(v, type);
        if (!isJdk(type)) return copyFields(v, type);
        return remember(v, cloneOrShare(v));
    }

    Object remember(Object original, Object copy) {
        copies.put(original, copy);
        bytes += 32;
        return copy;
    }

    static boolean isJdk(Class<?> type) {
        String n = type.getName();
        return n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.") || n.startsWith("sun.");
    }

    Object copyArray(Object v, Class<?> type) {
        int n = Array.getLength(v);
        Class<?> component = type.getComponentType();
        if (component.isPrimitive()) {
            Object c = Array.newInstance(component, n);
            System.arraycopy(v, 0, c, 0, n);
            bytes += 16 + (long) n * 8;
            return remember(v, c);
        }
        Object[] source = (Object[]) v;
        Object[] c = (Object[]) Array.newInstance(component, n);
        remember(v, c);
        bytes += 16 + (long) n * 8;
        for (int i = 0; i < n; i++) c[i] = copy(source[i]);
        return c;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    Object copyCollection(Collection<?> v) {
        List<Object> items = new ArrayList<>(v.size());
        bytes += 32 + 16L * v.size();
        Collection c = (Collection) emptyLike(v);
        copies.put(v, c);
        for (Object item : v) items.add(copy(item));
        if (v.getClass() == ARRAYS_AS_LIST) {
            Object[] array = items.toArray();
            List<Object> fixed = Arrays.asList(array);
            copies.put(v, fixed);
            return fixed;
        }
        c.addAll(items);
        Object sealed = sealedLike(v, c);
        copies.put(v, sealed);
        return sealed;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    Object copyMap(Map<?, ?> v) {
        bytes += 48 + 32L * v.size();
        Map c = (Map) emptyLike(v);
        copies.put(v, c);
        for (Map.Entry<?, ?> e : v.entrySet()) c.put(copy(e.getKey()), copy(e.getValue()));
        Object sealed = sealedLike(v, c);
        copies.put(v, sealed);
        return sealed;
    }

    /** A new, empty, mutable container of v's kind (same class when it can be made, same order). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object emptyLike(Object v) {
        if (v instanceof SortedMap) return new TreeMap(((SortedMap) v).comparator());
        if (v instanceof SortedSet) return new TreeSet(((SortedSet) v).comparator());
        if (v instanceof PriorityQueue) return new PriorityQueue(Math.max(1, ((PriorityQueue) v).size()), ((PriorityQueue) v).comparator());
        if (v instanceof EnumSet) return ((EnumSet) v).clone();  // elements are enums: nothing to copy
        if (v instanceof EnumMap) return new EnumMap((EnumMap) v);
        try {
            Constructor<?> c = v.getClass().getConstructor();
            if (!sealed(v)) return c.newInstance();
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            // No public no-arg constructor: fall back to the closest standard kind.
        }
        if (v instanceof Map) return new LinkedHashMap();
        if (v instanceof Set) return new LinkedHashSet();
        if (v instanceof Queue) return new ArrayDeque();
        return new ArrayList();
    }

    static boolean sealed(Object v) {
        String n = v.getClass().getName();
        return n.startsWith("java.util.ImmutableCollections$") || n.startsWith("java.util.Collections$Unmodifiable")
                || n.startsWith("java.util.Collections$Singleton") || n.startsWith("java.util.Collections$Empty");
    }

    /** Wraps a rebuilt container read-only again when the original was read-only. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object sealedLike(Object original, Object rebuilt) {
        if (original.getClass() == ARRAYS_AS_LIST) return Arrays.asList(((List) rebuilt).toArray());
        if (!sealed(original)) return rebuilt;
        if (original.getClass().getName().startsWith("java.util.ImmutableCollections$")) {
            if (rebuilt instanceof List) return List.copyOf((List) rebuilt);  // List.of: no nulls
            if (rebuilt instanceof Set) return Set.copyOf((Set) rebuilt);
            if (rebuilt instanceof Map) return Map.copyOf((Map) rebuilt);
        }
        if (rebuilt instanceof List) return Collections.unmodifiableList((List) rebuilt);
        if (rebuilt instanceof Set) return Collections.unmodifiableSet((Set) rebuilt);
        if (rebuilt instanceof Map) return Collections.unmodifiableMap((Map) rebuilt);
        return Collections.unmodifiableCollection((Collection) rebuilt);
    }

    Object copyRecord(Object v, Class<?> type) {
        try {
            RecordComponent[] parts = type.getRecordComponents();
            Class<?>[] types = new Class<?>[parts.length];
            Object[] values = new Object[parts.length];
            for (int i = 0; i < parts.length; i++) {
                Method accessor = parts[i].getAccessor();
                accessor.setAccessible(true);
                types[i] = parts[i].getType();
                values[i] = copy(accessor.invoke(v));
            }
            Constructor<?> c = type.getDeclaredConstructor(types);
            c.setAccessible(true);
            return remember(v, c.newInstance(values));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return remember(v, v);
        }
    }

    /** Classes of the code under test: a new instance with every field copied (aliasing kept). */
    Object copyFields(Object v, Class<?> type) {
        Object c;
        try {
            c = PerforchUnsafe.allocate(type);
        } catch (Throwable e) {
            return remember(v, cloneOrShare(v));
        }
        remember(v, c);
        for (Class<?> k = type; k != null && !isJdk(k); k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                try {
                    f.setAccessible(true);
                    f.set(c, f.getType().isPrimitive() ? f.get(v) : copy(f.get(v)));
                    bytes += 8;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    return remember(v, cloneOrShare(v));
                }
            }
        }
        return c;
    }

    /** JDK objects the copier does not know: a public clone() when there is one, else shared. */
    static Object cloneOrShare(Object v) {
        if (v instanceof Cloneable) {
            try {
                return v.getClass().getMethod("clone").invoke(v);
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                return v;
            }
        }
        return v;
    }
}

/** sun.misc.Unsafe.allocateInstance: instances of classes without a no-arg constructor. */
final class PerforchUnsafe {
    static final Object THE;
    static final Method ALLOCATE;

    static {
        Object the = null;
        Method allocate = null;
        try {
            Class<?> k = Class.forName("sun.misc.Unsafe");
            Field f = k.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            the = f.get(null);
            allocate = k.getMethod("allocateInstance", Class.class);
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            // Without it, such objects are shared instead of copied.
        }
        THE = the;
        ALLOCATE = allocate;
    }

    static Object allocate(Class<?> type) throws ReflectiveOperationException {
        if (ALLOCATE == null) throw new InstantiationException("no sun.misc.Unsafe");
        return ALLOCATE.invoke(THE, type);
    }
}
