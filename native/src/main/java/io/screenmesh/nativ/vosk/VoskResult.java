package io.screenmesh.nativ.vosk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recognizer's final result: the transcript and its words with times (seconds from the start
 * of the audio fed) and confidences in [0, 1].
 *
 * @param text the transcript, words separated by single spaces; empty when nothing was heard
 * @param words the words in order
 */
public record VoskResult(String text, List<Word> words) {

    /**
     * One recognized word.
     *
     * @param word the word, lower case
     * @param start where it starts, in seconds
     * @param end where it ends, in seconds
     * @param confidence Vosk's posterior for it, in [0, 1]
     */
    public record Word(String word, double start, double end, double confidence) {}

    /** Copies the word list. */
    public VoskResult {
        words = List.copyOf(words);
    }

    /** The mean word confidence, or 0 when there are no words. */
    public double meanConfidence() {
        return words.stream().mapToDouble(Word::confidence).average().orElse(0);
    }

    /**
     * Parses Vosk's JSON ({@code {"result": [{"conf":…,"end":…,"start":…,"word":…}, …], "text": …}}).
     *
     * @throws VoskException when the JSON is malformed
     */
    public static VoskResult parse(String json) {
        Object root;
        try {
            Parser p = new Parser(json);
            root = p.value();
            p.end();
        } catch (IllegalArgumentException e) {
            throw new VoskException("Vosk returned malformed JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new VoskException("Vosk returned JSON that is not an object");
        }
        List<Word> words = new ArrayList<>();
        if (map.get("result") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> w && w.get("word") instanceof String s) {
                    words.add(new Word(s, number(w.get("start")), number(w.get("end")), number(w.get("conf"))));
                }
            }
        }
        String text = map.get("text") instanceof String s ? s : "";
        return new VoskResult(text, words);
    }

    private static double number(Object o) {
        return o instanceof Double d ? d : 0;
    }

    /** Just enough JSON for Vosk's results: objects, arrays, strings, numbers, literals. */
    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end at " + i);
            }
            char c = s.charAt(i);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        void end() {
            skip();
            if (i != s.length()) {
                throw new IllegalArgumentException("trailing characters at " + i);
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            skip();
            if (peek() == '}') {
                i++;
                return m;
            }
            while (true) {
                skip();
                if (peek() != '"') {
                    throw new IllegalArgumentException("expected a key at " + i);
                }
                String key = string();
                skip();
                expect(':');
                m.put(key, value());
                skip();
                if (peek() == ',') {
                    i++;
                } else {
                    expect('}');
                    return m;
                }
            }
        }

        private List<Object> array() {
            List<Object> a = new ArrayList<>();
            i++;
            skip();
            if (peek() == ']') {
                i++;
                return a;
            }
            while (true) {
                a.add(value());
                skip();
                if (peek() == ',') {
                    i++;
                } else {
                    expect(']');
                    return a;
                }
            }
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            i++;
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= s.length()) {
                    break;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw new IllegalArgumentException("bad escape at " + i);
                        }
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            }
            throw new IllegalArgumentException("unterminated string");
        }

        private Double number() {
            int from = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (from == i) {
                throw new IllegalArgumentException("unexpected '" + s.charAt(i) + "' at " + i);
            }
            return Double.parseDouble(s.substring(from, i));
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, i)) {
                throw new IllegalArgumentException("unexpected token at " + i);
            }
            i += word.length();
            return v;
        }

        private char peek() {
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i);
            }
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
