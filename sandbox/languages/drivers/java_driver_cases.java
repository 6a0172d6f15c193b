// PerfOrch's Java driver, part 4: the cases from PerforchInputs, each with the overload of the
// target it fits and its numbers converted to that overload's parameter types (see java_driver.java).
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class PerforchCases {
    final List<Object[]> cases;
    final int[] overloads;          // each case's overload: an index into PerforchCalls' tables
    final Class<?>[] owners;        // each case's receiver class, null for a static method

    private PerforchCases(List<Object[]> cases, int[] overloads, Class<?>[] owners) {
        this.cases = cases;
        this.overloads = overloads;
        this.owners = owners;
    }

    static List<Object[]> asCases(Object[][] raw) { return raw == null ? null : Arrays.asList(raw); }

    static List<Object[]> asCases(Iterable<? extends Object[]> raw) {
        if (raw == null) return null;
        List<Object[]> list = new ArrayList<>();
        for (Object[] c : raw) list.add(c);
        return list;
    }

    static PerforchCases prepare() {
        List<Object[]> raw = null;
        try {
            raw = PerforchCalls.cases();
        } catch (Throwable e) {
            System.err.println("perforch: PerforchInputs.cases() threw " + PerforchDriver.describe(e));
            e.printStackTrace();
            System.exit(3);
        }
        if (raw == null || raw.isEmpty()) PerforchDriver.fail("PerforchInputs.cases() returned no cases");
        Method[] methods = new Method[PerforchCalls.OVERLOADS];
        for (int k = 0; k < methods.length; k++) methods[k] = method(k);
        List<Object[]> cases = new ArrayList<>();
        int[] overloads = new int[raw.size()];
        Class<?>[] owners = new Class<?>[raw.size()];
        for (int i = 0; i < raw.size(); i++) {
            Object[] args = raw.get(i);
            if (args == null) PerforchDriver.fail("case " + i + " is null; each case is an Object[] of arguments");
            // The overload the case fits; one it fits without converting a number wins a tie.
            int chosen = -1, fits = 0, exact = 0;
            Object[] converted = null;
            StringBuilder tried = new StringBuilder();
            for (int k = 0; k < methods.length; k++) {
                Object[] c = convertAll(args, methods[k]);
                tried.append("\n  ").append(PerforchCalls.SIGNATURES[k]);
                if (c == null) continue;
                boolean same = true;  // nothing converted
                for (int p = 0; p < c.length; p++) same &= c[p] == args[p];
                fits++;
                if (same) exact++;
                if (chosen < 0 || same && exact == 1) {
                    chosen = k;
                    converted = c;
                }
            }
            if (chosen < 0) {
                PerforchDriver.fail("case " + i + " " + typesOf(args) + " does not fit " + PerforchCalls.TARGET + tried);
            }
            if (fits > 1 && exact != 1) {
                PerforchDriver.fail("case " + i + " " + typesOf(args) + " fits more than one overload of " + PerforchCalls.TARGET
                        + "; name one with its parameter types, e.g. " + PerforchCalls.TARGET + "(int, long)" + tried);
            }
            cases.add(converted);
            overloads[i] = chosen;
            owners[i] = Modifier.isStatic(methods[chosen].getModifiers()) ? null : methods[chosen].getDeclaringClass();
        }
        return new PerforchCases(cases, overloads, owners);
    }

    static Method method(int k) {
        try {
            Class<?> owner = Class.forName(PerforchCalls.OWNERS[k]);
            for (Method m : owner.getDeclaredMethods()) {
                if (!m.getName().equals(PerforchCalls.NAMES[k]) || m.isBridge() || m.isSynthetic()) continue;
                Class<?>[] params = m.getParameterTypes();
                String[] wanted = PerforchCalls.PARAMETERS[k];
                boolean same = params.length == wanted.length;
                for (int p = 0; same && p < params.length; p++) same = params[p].getSimpleName().equals(wanted[p]);
                if (same) {
                    m.setAccessible(true);
                    return m;
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            PerforchDriver.fail("cannot find " + PerforchCalls.SIGNATURES[k] + ": " + PerforchDriver.describe(e));
        }
        PerforchDriver.fail("cannot find " + PerforchCalls.SIGNATURES[k] + " in the compiled classes");
        return null;
    }

    static MethodHandle handle(int k) {
        try {
            Method m = method(k);
            MethodHandle h = MethodHandles.lookup().unreflect(m);
            int n = m.getParameterCount();
            if (Modifier.isStatic(m.getModifiers())) h = MethodHandles.dropArguments(h, 0, Object.class);
            return h.asType(MethodType.genericMethodType(n + 1)).asSpreader(Object[].class, n);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    static String typesOf(Object[] args) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < args.length; i++) {
            s.append(i > 0 ? ", " : "").append(args[i] == null ? "null" : args[i].getClass().getSimpleName());
        }
        return s.append(")").toString();
    }

    static Object[] convertAll(Object[] args, Method m) {
        Type[] types = m.getGenericParameterTypes();
        if (types.length != args.length) return null;
        Object[] converted = new Object[args.length];
        for (int p = 0; p < args.length; p++) {
            Object[] one = convert(args[p], types[p]);
            if (one == null) return null;
            converted[p] = one[0];
        }
        return converted;
    }

    static final Map<Class<?>, Class<?>> BOXES = Map.of(int.class, Integer.class, long.class, Long.class,
            double.class, Double.class, float.class, Float.class, short.class, Short.class,
            byte.class, Byte.class, char.class, Character.class, boolean.class, Boolean.class);

    /** {converted} when value can be passed as type (numbers widened/narrowed when exact), else null. */
    static Object[] convert(Object value, Type type) {
        Class<?> raw = rawClass(type);
        if (raw == null) return new Object[] {value};              // type variable, wildcard
        if (raw.isPrimitive() || BOXES.containsValue(raw)) {
            Class<?> box = raw.isPrimitive() ? BOXES.get(raw) : raw;
            if (value == null) return raw.isPrimitive() ? null : new Object[] {null};
            Object number = number(value, box);
            return number == null ? null : new Object[] {number};
        }
        if (value != null && !raw.isInstance(value)) return null;
        if (type instanceof ParameterizedType && value != null) {
            Type[] parts = ((ParameterizedType) type).getActualTypeArguments();
            if (value instanceof Collection && parts.length == 1) return convertElements((Collection<?>) value, parts[0]);
            if (value instanceof Map && parts.length == 2) return convertEntries((Map<?, ?>) value, parts[0], parts[1]);
        }
        return new Object[] {value};
    }

    static Class<?> rawClass(Type type) {
        if (type instanceof Class) return (Class<?>) type;
        if (type instanceof ParameterizedType) return (Class<?>) ((ParameterizedType) type).getRawType();
        return null;
    }

    static Object number(Object v, Class<?> box) {
        if (box.isInstance(v)) return v;
        boolean integral = v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte;
        if (box == Boolean.class || box == Character.class || !(v instanceof Number)) return null;
        if (box == Double.class) return ((Number) v).doubleValue();
        if (box == Float.class) return ((Number) v).floatValue();
        if (!integral) return null;
        long x = ((Number) v).longValue();
        if (box == Long.class) return x;
        if (box == Integer.class && x == (int) x) return (int) x;
        if (box == Short.class && x == (short) x) return (short) x;
        if (box == Byte.class && x == (byte) x) return (byte) x;
        return null;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object[] convertElements(Collection<?> values, Type element) {
        List<Object> items = new ArrayList<>();
        boolean changed = false;
        for (Object v : values) {
            Object[] c = convert(v, element);
            if (c == null) return null;
            changed |= c[0] != v;
            items.add(c[0]);
        }
        if (!changed) return new Object[] {values};
        Collection rebuilt = (Collection) PerforchCopier.emptyLike(values);
        rebuilt.addAll(items);
        return new Object[] {PerforchCopier.sealedLike(values, rebuilt)};
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object[] convertEntries(Map<?, ?> values, Type keyType, Type valueType) {
        Map<Object, Object> entries = new LinkedHashMap<>();
        boolean changed = false;
        for (Map.Entry<?, ?> e : values.entrySet()) {
            Object[] k = convert(e.getKey(), keyType);
            Object[] v = convert(e.getValue(), valueType);
            if (k == null || v == null) return null;
            changed |= k[0] != e.getKey() || v[0] != e.getValue();
            entries.put(k[0], v[0]);
        }
        if (!changed) return new Object[] {values};
        Map rebuilt = (Map) PerforchCopier.emptyLike(values);
        rebuilt.putAll(entries);
        return new Object[] {PerforchCopier.sealedLike(values, rebuilt)};
    }
}
