import java.util.*;

class TextUtils {
    /** The words that are not blank, trimmed and joined with ", ". */
    static String joinNonBlank(List<String> words) {
        StringBuilder joined = new StringBuilder();
        for (String word : words) {
            if (word.isBlank()) {
                continue;
            }
            if (joined.length() > 0) {
                joined.append(", ");
            }
            joined.append(word.trim());
        }
        return joined.toString();
    }
}
