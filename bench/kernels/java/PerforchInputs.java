import java.util.*;

class PerforchInputs {
    // One call of Kernel.kernel(long[] xs): 256 fixed numbers below 2^30.
    static List<Object[]> cases() {
        Random random = new Random(1); // fixed seed: the same numbers on every run
        long[] xs = new long[256];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = random.nextInt(1 << 30);
        }
        return List.<Object[]>of(new Object[] {xs});
    }
}
