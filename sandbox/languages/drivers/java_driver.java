// PerfOrch's Java driver: calls the target (through the generated PerforchCalls) on the cases of
// PerforchInputs.cases(). Speaks the driver protocol in sandbox/languages/_protocol.py.
// Single-type imports only: they shadow same-package classes the code under test may declare.
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

public final class PerforchDriver {
    static final long MIN_SAMPLE_NS = 10_000_000L;
    static final int CHUNK_CALLS = 4096;            // calls whose argument copies are made at once
    static final long CHUNK_BYTES = 16L << 20;      // ... unless the copies would exceed this
    // Samples that must agree for "steady". 3, not 5: side by side, 5 cost 40 ms more per JVM
    // (259 vs 219 ms) and its processes spread no less (per-pass sd 1.5 % vs 1.4 %).
    static final int STEADY_WINDOW = 3;
    static final double STEADY_SPREAD = 0.02;       // (max - min) / median of that window
    static final long WARMUP_CAP_MS = 1000;         // JIT warm-up gives up on "steady" after this,
    static final long JIT_CAP_MS = 5000;            // ... or this while the JIT is not yet quiet
    static final Object VOID = new Object();

    // Sinks: the JIT cannot drop work whose result reaches a volatile field.
    static volatile long sinkLong;
    static volatile Object sink;

    static PrintStream out;
    static List<Object[]> cases;
    static int[] overloads;
    static Class<?>[] owners;

    public static void main(String[] argv) throws Throwable {
        resetPeakRss();
        // The protocol owns stdout; whatever the code under test prints goes to stderr.
        out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        if (argv.length < 1 || !(argv[0].equals("outputs") || argv[0].equals("cases")
                || argv[0].equals("bench") && argv.length == 4)) {
            System.err.println("perforch: usage: PerforchDriver outputs | cases | bench ITERATIONS SAMPLES WARMUP_MS");
            System.exit(2);
        }
        PerforchCases prepared = PerforchCases.prepare();
        cases = prepared.cases;
        overloads = prepared.overloads;
        owners = prepared.owners;
        if (argv[0].equals("outputs")) {
            outputs();
        } else if (argv[0].equals("cases")) {
            timeEach();
        } else {
            bench(Long.parseLong(argv[1]), Integer.parseInt(argv[2]), Long.parseLong(argv[3]));
        }
        out.flush();
        System.exit(0);
    }

    static void fail(String message) {
        System.err.println("perforch: " + message);
        System.exit(3);
    }

    static final Map<Class<?>, Constructor<?>> CONSTRUCTORS = new java.util.HashMap<>();

    /** A fresh instance for an instance method (an inner class gets a fresh outer one too). */
    static Object receiver(Class<?> owner) {
        if (owner == null) return null;
        try {
            boolean inner = owner.isMemberClass() && !Modifier.isStatic(owner.getModifiers());
            Constructor<?> c = CONSTRUCTORS.get(owner);
            if (c == null) {
                c = inner ? owner.getDeclaredConstructor(owner.getEnclosingClass()) : owner.getDeclaredConstructor();
                c.setAccessible(true);
                CONSTRUCTORS.put(owner, c);
            }
            return inner ? c.newInstance(receiver(owner.getEnclosingClass())) : c.newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            fail("cannot create a " + owner.getSimpleName() + " with its no-arg constructor: " + describe(cause));
            return null;
        }
    }

    // ---- outputs mode ----

    static void outputs() throws Throwable {
        for (int i = 0; i < cases.size(); i++) {
            Object[] args = (Object[]) new PerforchCopier().copy(cases.get(i));
            Object target = receiver(owners[i]);
            Object result;
            try {
                result = PerforchCalls.call(overloads[i], target, args);
            } catch (Throwable e) {
                rethrowFatal(e);
                emit("{\"case\": ", i, ", \"error\": ", json(describe(e)), "}");
                continue;
            }
            emit("{\"case\": ", i, ", \"result\": ", json(result == VOID ? "void" : PerforchRender.text(result)),
                    ", \"args\": ", json(PerforchRender.text(args)), "}");
        }
        emitClosing(1);
    }

    /** Running out of heap is the run's failure (reported as such), not one case's output. */
    static void rethrowFatal(Throwable e) throws Throwable {
        if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) throw e;
    }

    static Object caught(Throwable e) {
        if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
            throw (VirtualMachineError) e;
        }
        return e;
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getName() + ": " + (message == null ? "" : message);
    }

    // ---- bench mode ----

    static Object[][] batch = new Object[0][];
    static Object[] targets = new Object[0];
    static int[] batchOverloads = new int[0];
    static Object[] kept = new Object[0];
    static int passesPerChunk;

    static void bench(long iterations, int samples, long warmupMs) {
        long start = System.nanoTime();
        passesPerChunk = passesPerChunk();
        if (iterations <= 0) {
            // Interpreted code is many times slower than compiled: calibrate on warm code.
            iterations = 1;
            List<Long> times = new ArrayList<>();
            long cap = start + WARMUP_CAP_MS * 1_000_000L;
            while (true) {
                long t = timedPasses(iterations);
                if (t < MIN_SAMPLE_NS) {
                    iterations = grow(iterations, t);
                    times.clear();
                    continue;
                }
                times.add(t);
                if (steady(times) || System.nanoTime() > cap) break;
            }
            // Scaled by the best recent sample (+20 %), so quiet moments stay above the minimum too.
            // Down as well as up: doubling past a try just under the minimum overshoots by up
            // to 2x, and every sample and warm-up round after would pay for it.
            long best = Long.MAX_VALUE;
            for (int i = Math.max(0, times.size() - STEADY_WINDOW); i < times.size(); i++) best = Math.min(best, times.get(i));
            iterations = Math.max(1, (long) Math.ceil(iterations * 1.2 * MIN_SAMPLE_NS / best));
            emit("{\"calibrated\": ", iterations, "}");
        }
        List<Long> times = new ArrayList<>();
        long begun = System.nanoTime();
        long least = begun + warmupMs * 1_000_000L;
        long cap = begun + Math.max(warmupMs, WARMUP_CAP_MS) * 1_000_000L;
        long jitCap = begun + Math.max(warmupMs, JIT_CAP_MS) * 1_000_000L;
        boolean steady = false;
        long shortest = MIN_SAMPLE_NS;  // a round under this raises the count
        List<Long> starts = new ArrayList<>();  // when each round began
        while (true) {
            long started = System.nanoTime();
            long t = timedPasses(iterations);
            // Calibrated under load, in another process or before the JIT's last tier, the count
            // can give rounds under the minimum: raise it and warm up on at the new count. A raised
            // count must clear 1.1x: it was scaled from a round that may not represent the rest.
            if (t < shortest) {
                shortest = MIN_SAMPLE_NS + MIN_SAMPLE_NS / 10;
                iterations = Math.max(iterations + 1, scaled(iterations, t));
                times.clear();
                starts.clear();
                continue;
            }
            times.add(t);
            starts.add(started);
            long now = System.nanoTime();
            boolean quiet = PerforchJit.quiet(begun, starts);
            steady = steady(times) && quiet;
            // Rounds that never agree are the machine's noise: stop at the cap. A JIT still
            // compiling at the cap (C2 on a busy machine) is waited for, up to its own cap.
            if (now >= least && steady || now >= cap && (quiet || now >= jitCap)) break;
        }
        emit("{\"warmup_samples\": ", times.size(), ", \"steady\": ", steady, "}");
        for (int s = 0; s < samples; s++) emit("{\"ns\": ", timedPasses(iterations), "}");
        emitClosing(iterations);
    }

    static long grow(long iterations, long elapsed) {
        return Math.max(iterations * 2, scaled(iterations, elapsed));
    }

    /** The count that would make a round last 1.2x the minimum (at most 100x the count). */
    static long scaled(long iterations, long elapsed) {
        double factor = Math.min(100.0, MIN_SAMPLE_NS * 1.2 / Math.max(elapsed, 1));
        return (long) Math.ceil(iterations * factor);
    }

    /**
     * Steady: the last STEADY_WINDOW samples agree within STEADY_SPREAD, or their best is no
     * better than the best of the window before (the JIT is done; what varies is the machine).
     */
    static boolean steady(List<Long> times) {
        int n = times.size();
        if (n < STEADY_WINDOW) return false;
        long[] last = new long[STEADY_WINDOW];
        for (int i = 0; i < STEADY_WINDOW; i++) last[i] = times.get(n - STEADY_WINDOW + i);
        Arrays.sort(last);
        if (last[STEADY_WINDOW - 1] - last[0] <= STEADY_SPREAD * last[STEADY_WINDOW / 2]) return true;
        if (n < 2 * STEADY_WINDOW) return false;
        long before = Long.MAX_VALUE;
        for (int i = n - 2 * STEADY_WINDOW; i < n - STEADY_WINDOW; i++) before = Math.min(before, times.get(i));
        return last[0] >= (1 - STEADY_SPREAD) * before;
    }

    static boolean[] shared;

    static int passesPerChunk() {
        PerforchCopier copier = new PerforchCopier();
        shared = new boolean[cases.size()];
        for (int i = 0; i < cases.size(); i++) {
            shared[i] = true;
            for (Object arg : cases.get(i)) shared[i] &= PerforchCopier.immutable(arg);
            copier.copy(cases.get(i));
        }
        long perPass = Math.max(1, copier.bytes);
        long byCalls = Math.max(1, CHUNK_CALLS / cases.size());
        return (int) Math.max(1, Math.min(byCalls, CHUNK_BYTES / perPass));
    }

    /** Nanoseconds for n passes over all cases; copies and receivers are made untimed. */
    static long timedPasses(long n) {
        int perPass = cases.size();
        int calls = passesPerChunk * perPass;
        if (batch.length < calls) {
            batch = new Object[calls][];
            targets = new Object[calls];
            batchOverloads = new int[calls];
            kept = new Object[calls];
        }
        long total = 0;
        for (long done = 0; done < n; ) {
            int passes = (int) Math.min(passesPerChunk, n - done);
            int m = passes * perPass;
            for (int j = 0; j < m; j++) {
                int i = j % perPass;
                // Arguments that are all immutable (numbers, strings) need no copy.
                batch[j] = shared[i] ? cases.get(i) : (Object[]) new PerforchCopier().copy(cases.get(i));
                targets[j] = receiver(owners[i]);
                batchOverloads[j] = overloads[i];
            }
            long t0 = System.nanoTime();
            long acc = PerforchCalls.timed(targets, batch, batchOverloads, m, kept);
            total += System.nanoTime() - t0;
            sinkLong = acc;
            sink = kept;
            done += passes;
        }
        Arrays.fill(kept, null);
        Arrays.fill(batch, null);
        return total;
    }

    // ---- cases mode: each case timed on its own (which inputs cost the most) ----

    static final long CASE_SAMPLE_NS = 2_000_000L;        // timed calls per case: at least this long
    static final long CASE_ROUND_NS = 500_000L;           // JIT warm-up before that: rounds of this long
    static final long CASE_WARMUP_CAP_NS = 200_000_000L;  // ... until steady, or this long has passed

    static void timeEach() {
        shared = new boolean[cases.size()];
        for (int i = 0; i < cases.size(); i++) {
            shared[i] = true;
            for (Object arg : cases.get(i)) shared[i] &= PerforchCopier.immutable(arg);
            PerforchCopier copier = new PerforchCopier();
            copier.copy(cases.get(i));
            int perChunk = (int) Math.max(1, Math.min(CHUNK_CALLS, CHUNK_BYTES / Math.max(1, copier.bytes)));
            long cap = System.nanoTime() + CASE_WARMUP_CAP_NS;
            timedCase(i, 1, perChunk);  // the untimed first call
            // Warm-up, untimed: rounds until the time per call is steady (as in bench), so the JIT
            // has compiled what this case runs. A few ms leave a small case in C1 code, timed
            // several times slower than in bench, or has C2 finish in the middle of its timing.
            List<Long> rounds = new ArrayList<>();  // picoseconds per call
            while (!steady(rounds) && System.nanoTime() < cap) {
                long[] round = timedCalls(i, CASE_ROUND_NS, perChunk);
                rounds.add(round[1] * 1000 / round[0]);
            }
            long[] sample = timedCalls(i, CASE_SAMPLE_NS, perChunk);
            emit("{\"case\": ", i, ", \"ns_per_call\": ", (double) sample[1] / sample[0], "}");
        }
    }

    /** {calls, ns}: calls of case i until they took at least ns, in batches sized by the time so far. */
    static long[] timedCalls(int i, long ns, int perChunk) {
        long calls = 0, elapsed = 0, batchSize = 1;
        while (elapsed < ns) {
            elapsed += timedCase(i, batchSize, perChunk);
            calls += batchSize;
            batchSize = nextBatch(batchSize, calls, elapsed, ns - elapsed);
        }
        return new long[] {calls, elapsed};
    }

    /** The calls that should fill remainingNs at the time per call so far; at most twice the last batch. */
    static long nextBatch(long last, long calls, long elapsed, long remainingNs) {
        double perCall = (double) Math.max(elapsed, 1) / calls;
        return Math.max(1, Math.min(last * 2, (long) Math.ceil(remainingNs / perCall)));
    }

    /** Nanoseconds for n calls of case i, each on a fresh copy and receiver made untimed. */
    static long timedCase(int i, long n, int perChunk) {
        if (batch.length < perChunk) {
            batch = new Object[perChunk][];
            targets = new Object[perChunk];
            batchOverloads = new int[perChunk];
            kept = new Object[perChunk];
        }
        long total = 0;
        for (long done = 0; done < n; ) {
            int m = (int) Math.min(perChunk, n - done);
            for (int j = 0; j < m; j++) {
                batch[j] = shared[i] ? cases.get(i) : (Object[]) new PerforchCopier().copy(cases.get(i));
                targets[j] = receiver(owners[i]);
                batchOverloads[j] = overloads[i];
            }
            long t0 = System.nanoTime();
            long acc = PerforchCalls.timed(targets, batch, batchOverloads, m, kept);
            total += System.nanoTime() - t0;
            sinkLong = acc;
            sink = kept;
            done += m;
        }
        Arrays.fill(kept, null);
        Arrays.fill(batch, null);
        return total;
    }

    // ---- protocol output ----

    /**
     * One protocol line from its parts. A StringBuilder rather than `+`: javac compiles `+` to
     * invokedynamic, whose first use costs a fresh JVM ~10 ms of bootstrapping, and every timed
     * process is a fresh JVM.
     */
    static void emit(Object... parts) {
        StringBuilder line = new StringBuilder();
        for (Object part : parts) line.append(part);
        out.print(line.append('\n'));
        out.flush();
    }

    static void resetPeakRss() {
        try {
            Files.write(Paths.get("/proc/self/clear_refs"), "5".getBytes(StandardCharsets.US_ASCII));
        } catch (Exception ignored) {
            // Not Linux, or not permitted: the peak then includes start-up.
        }
    }

    static void emitClosing(long iterations) {
        long peak = 0;
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) peak = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (Exception ignored) {
            peak = 0;
        }
        emit("{\"peak_rss_kb\": ", peak, ", \"cpu_ns\": ", cpuNanos(), ", \"iterations\": ", iterations, "}");
    }

    /**
     * User + system time from /proc/self/stat (fields 14 and 15, in clock ticks: 100 a second,
     * Linux's fixed USER_HZ). ProcessHandle.info() reads the same but starts a thread pool and
     * lambdas first, ~10 ms in every fresh JVM.
     */
    static long cpuNanos() {
        try {
            String stat = new String(Files.readAllBytes(Paths.get("/proc/self/stat")), StandardCharsets.US_ASCII);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
        } catch (Exception e) {
            return 0;  // not Linux: no CPU time
        }
    }

    static String json(String text) {
        StringBuilder s = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"': s.append("\\\""); break;
                case '\\': s.append("\\\\"); break;
                case '\n': s.append("\\n"); break;
                case '\r': s.append("\\r"); break;
                case '\t': s.append("\\t"); break;
                default:
                    if (c < 0x20 || Character.isSurrogate(c) && !validSurrogate(text, i)) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
            }
        }
        return s.append('"').toString();
    }

    static boolean validSurrogate(String text, int i) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
        return i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }
}
