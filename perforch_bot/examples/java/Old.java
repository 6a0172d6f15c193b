import java.util.*;

class TextUtils {
    /** The words that are not blank, trimmed and joined with ", ". */
    static String joinNonBlank(List<String> words) {
        String joined = "";
        for (String word : words) {
            if (word.isBlank()) {
                continue;
            }
            if (!joined.isEmpty()) {
                joined += ", ";
            }
            joined += word.trim();
        }
        return joined;
    }
}
