// PerfOrch's Java driver, part 3: canonical text of results (see java_driver.java).
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/** Canonical text: equal values give equal text; unordered containers are sorted. */
final class PerforchRender {
    static String text(Object v) {
        StringBuilder s = new StringBuilder();
        new PerforchRender().value(v, s);
        return s.toString();
    }

    final IdentityHashMap<Object, Boolean> open = new IdentityHashMap<>();  // cycle guard

    void value(Object v, StringBuilder s) {
        if (v == null) { s.append("null"); return; }
        if (v instanceof String || v instanceof CharSequence) { quote(v.toString(), '"', s); return; }
        if (v instanceof Character) { quote(v.toString(), '\'', s); return; }
        if (v instanceof Double) { s.append(Double.toString((Double) v)); return; }
        if (v instanceof Float) { s.append(Float.toString((Float) v)); return; }
        if (v instanceof Number || v instanceof Boolean) { s.append(v); return; }
        if (v instanceof Enum) { s.append(((Enum<?>) v).getDeclaringClass().getSimpleName()).append('.').append(((Enum<?>) v).name()); return; }
        if (v instanceof Throwable) { s.append(PerforchDriver.describe((Throwable) v)); return; }
        if (v.getClass().isHidden() || v.getClass().isSynthetic()) { s.append("<function>"); return; }
        if (open.containsKey(v)) { s.append("<cycle>"); return; }
        open.put(v, Boolean.TRUE);
        try {
            container(v, s);
        } finally {
            open.remove(v);
        }
    }

    void container(Object v, StringBuilder s) {
        Class<?> type = v.getClass();
        if (type.isArray()) {
            int n = Array.getLength(v);
            List<String> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++) items.add(part(Array.get(v, i)));
            join("[", items, "]", s);
        } else if (v instanceof Map) {
            List<String> items = new ArrayList<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) items.add(part(e.getKey()) + ": " + part(e.getValue()));
            Collections.sort(items);
            join("{", items, "}", s);
        } else if (v instanceof Set || v instanceof PriorityQueue || v instanceof java.util.concurrent.PriorityBlockingQueue) {
            List<String> items = new ArrayList<>();
            for (Object item : (Collection<?>) v) items.add(part(item));
            Collections.sort(items);
            join(v instanceof Set ? "{" : "[", items, v instanceof Set ? "}" : "]", s);
        } else if (v instanceof Iterable) {
            List<String> items = new ArrayList<>();
            for (Object item : (Iterable<?>) v) items.add(part(item));
            join("[", items, "]", s);
        } else if (v instanceof Map.Entry) {
            s.append(part(((Map.Entry<?, ?>) v).getKey())).append('=').append(part(((Map.Entry<?, ?>) v).getValue()));
        } else if (v instanceof java.util.Optional) {
            java.util.Optional<?> o = (java.util.Optional<?>) v;
            s.append(o.isPresent() ? "Optional[" + part(o.get()) + "]" : "Optional.empty");
        } else if (type.isRecord()) {
            List<String> items = new ArrayList<>();
            for (RecordComponent c : type.getRecordComponents()) {
                try {
                    Method accessor = c.getAccessor();
                    accessor.setAccessible(true);
                    items.add(c.getName() + "=" + part(accessor.invoke(v)));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    items.add(c.getName() + "=?");
                }
            }
            join(type.getSimpleName() + "[", items, "]", s);
        } else if (ownToString(type)) {
            s.append(v);
        } else if (!PerforchCopier.isJdk(type)) {
            fields(v, type, s);
        } else {
            s.append('<').append(type.getName()).append('>');
        }
    }

    String part(Object v) {
        StringBuilder s = new StringBuilder();
        value(v, s);
        return s.toString();
    }

    static void join(String open, List<String> items, String close, StringBuilder s) {
        s.append(open);
        for (int i = 0; i < items.size(); i++) s.append(i > 0 ? ", " : "").append(items.get(i));
        s.append(close);
    }

    static boolean ownToString(Class<?> type) {
        try {
            return type.getMethod("toString").getDeclaringClass() != Object.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    void fields(Object v, Class<?> type, StringBuilder s) {
        List<String> items = new ArrayList<>();
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> k = type; k != null && !PerforchCopier.isJdk(k); k = k.getSuperclass()) chain.add(0, k);
        for (Class<?> k : chain) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) continue;
                try {
                    f.setAccessible(true);
                    items.add(f.getName() + "=" + part(f.get(v)));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    items.add(f.getName() + "=?");
                }
            }
        }
        join(type.getSimpleName() + "{", items, "}", s);
    }

    static void quote(String text, char mark, StringBuilder s) {
        s.append(mark);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == mark || c == '\\') s.append('\\').append(c);
            else if (c == '\n') s.append("\\n");
            else if (c == '\t') s.append("\\t");
            else if (c == '\r') s.append("\\r");
            else if (c < 0x20 || c == 0x7f) s.append(String.format("\\u%04x", (int) c));
            else s.append(c);
        }
        s.append(mark);
    }
}
