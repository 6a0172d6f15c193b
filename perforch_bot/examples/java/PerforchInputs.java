import java.util.*;

class PerforchInputs {
    // Each case is one call of TextUtils.joinNonBlank(List<String> words).
    static List<Object[]> cases() {
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {List.of()});
        cases.add(new Object[] {List.of("  ", "\t")});
        cases.add(new Object[] {new ArrayList<>(List.of(" apple", "", "pear ", "fig"))});

        Random random = new Random(42); // fixed seed: the same words on every run
        String[] pool = {"alpha", "beta", " gamma ", "", "   ", "delta", "epsilon", "zeta\t"};
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            words.add(pool[random.nextInt(pool.length)] + (i % 7 == 0 ? "" : i));
        }
        cases.add(new Object[] {words});
        return cases;
    }
}
