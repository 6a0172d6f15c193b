// PerfOrch's Java driver, part 5: whether the JIT is still compiling, for the bench mode's
// warm-up (see java_driver.java), read from the compiler threads' CPU time in /proc.
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

final class PerforchJit {
    static long lastTicks = -2;  // the compiler threads' CPU when last read
    static long changedAt;      // when a reading first showed it changed (System.nanoTime)

    /**
     * The JIT compiled nothing since the last STEADY_WINDOW rounds began (starts: when each
     * round began), nor for a quarter of the warm-up's time since begun. Rounds can agree on a
     * plateau of C1's code while C2 still compiles big methods, and C2's code can be thrown out
     * and compiled again for a second or two after that: on a comparator sort, 3-4 rounds agreed
     * at 1.0-2.0 ms a pass that ran at 0.16-0.26 ms once the JIT was done, and comparisons
     * claimed 15-18x where the settled speedup was 2.9x (bench/java_warmup.py). The longer the
     * JIT has been busy, the longer it must stay quiet.
     */
    static boolean quiet(long begun, List<Long> starts) {
        long ticks = compilerTicks();
        long now = System.nanoTime();
        if (ticks != lastTicks) {
            lastTicks = ticks;
            changedAt = now;
        }
        int n = starts.size();
        if (ticks < 0) return true;  // cannot be read: the times alone decide
        if (n < PerforchDriver.STEADY_WINDOW || changedAt > starts.get(n - PerforchDriver.STEADY_WINDOW)) return false;
        return now - changedAt >= (changedAt - begun) / 4;
    }

    static File[] compilerStats;  // the stat files of the JIT's compiler threads, found once
    static final byte[] STAT = new byte[1024];

    /**
     * CPU ticks (user + system, 10 ms each) the JIT's compiler threads have used, from their
     * /proc stat files; -1 where they cannot be read (not Linux): then only the times decide.
     * Read every warm-up round, so it runs little library code: code that gets hot would keep
     * the JIT compiling it (reading all tasks' files through java.nio did, for a second).
     */
    static long compilerTicks() {
        try {
            if (compilerStats == null) compilerStats = findCompilerStats();
            if (compilerStats.length == 0) return -1;  // not found before: not looked for again
            long ticks = 0;
            for (File stat : compilerStats) ticks += threadTicks(stat);
            return ticks;
        } catch (Exception e) {
            compilerStats = new File[0];
            return -1;
        }
    }

    /** HotSpot names them "C1 CompilerThread0" etc. (cut to 15 characters in comm). */
    static File[] findCompilerStats() throws IOException {
        File[] tasks = new File("/proc/self/task").listFiles();
        if (tasks == null) throw new IOException("no /proc/self/task");
        List<File> found = new ArrayList<>();
        for (File task : tasks) {
            String name = new String(Files.readAllBytes(new File(task, "comm").toPath()), StandardCharsets.US_ASCII);
            if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) found.add(new File(task, "stat"));
        }
        if (found.isEmpty()) throw new IOException("no compiler threads");
        return found.toArray(new File[0]);
    }

    /** Fields 14 and 15 (utime, stime) of a thread's stat file, counted from after its name. */
    static long threadTicks(File stat) throws IOException {
        int n;
        try (FileInputStream in = new FileInputStream(stat)) {
            n = in.read(STAT);
        }
        int start = n - 1;
        while (start > 0 && STAT[start] != ')') start--;
        int field = 2;
        long ticks = 0, value = 0;
        for (int i = start + 1; i < n && field <= 15; i++) {
            if (STAT[i] == ' ') {
                if (field >= 14) ticks += value;
                field++;
                value = 0;
            } else {
                value = value * 10 + (STAT[i] - '0');
            }
        }
        return ticks;
    }
}
