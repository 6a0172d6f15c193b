public class Main {
    public static void main(String[] args) {
        check(TextUtils.joinNonBlank(java.util.List.of()), "");
        check(TextUtils.joinNonBlank(java.util.List.of(" ", "")), "");
        check(TextUtils.joinNonBlank(java.util.List.of(" a ", "", "b", "\tc")), "a, b, c");
    }

    private static void check(String actual, String expected) {
        if (!actual.equals(expected)) {
            throw new AssertionError("got \"" + actual + "\", want \"" + expected + "\"");
        }
    }
}
