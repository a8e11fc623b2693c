package io.screenmesh.contract;

import java.util.Locale;

/**
 * JSON string literals (RFC 8259) for the project's hand-written JSON lines: audit records and
 * benchmark results, whose exact bytes matter (the audit chain hashes them) and which need no
 * JSON library.
 */
public final class JsonText {

    private JsonText() {}

    /** {@code s} as a quoted, escaped JSON string. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        quote(b, s);
        return b.toString();
    }

    /**
     * Appends {@code s} as a quoted JSON string. Control characters, U+2028/U+2029 and lone
     * surrogates are written as {@code \\uXXXX}: a lone surrogate has no UTF-8 form, and escaped it
     * reads back, and hashes, the same.
     */
    public static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    boolean lone = Character.isHighSurrogate(c)
                        ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                        : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || lone) {
                        b.append("\\u").append(String.format(Locale.ROOT, "%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
