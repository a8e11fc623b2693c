package io.screenmesh.bench.jmh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The command line of the hot-path suite:
 * {@code [squeeze|spectral|similarity|text|all] [--quick] [--json] [--backends a,b] [--out FILE]}.
 *
 * @param groups   hot paths to run
 * @param quick    short warm-up and measurement, the largest reference set left out
 * @param json     print a JSON array instead of a table
 * @param backends backend ids to try, or empty for all
 * @param out      where the JSON array is also written, or null
 */
public record SuiteOptions(Set<Group> groups, boolean quick, boolean json, List<String> backends, Path out) {

    /** A hot path: the unit of selection on the command line. */
    public enum Group {
        /** Bit depth and median smoothing, with the memory-copy bandwidth that bounds bit depth. */
        SQUEEZE,
        /** Spectral gate and low-pass. */
        SPECTRAL,
        /** Cosine top-k. */
        SIMILARITY,
        /** Text screening end to end in process (no backend, no peer); only when named. */
        TEXT;

        /** What {@code all} (or no name) selects: the three hot paths. */
        public static final Set<Group> HOT_PATHS = EnumSet.of(SQUEEZE, SPECTRAL, SIMILARITY);

        /** The lower-case name used on the command line. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The usage line printed with argument errors. */
    public static final String USAGE =
            "usage: bench [squeeze|spectral|similarity|text|all] [--quick] [--json] [--backends java,native,cuda] [--out FILE]";

    /**
     * Parses the arguments; no hot path named means all three ({@code text} runs only when named).
     *
     * @throws IllegalArgumentException for an unknown argument or a missing option value (the message says which)
     */
    public static SuiteOptions parse(String... args) {
        Set<Group> groups = EnumSet.noneOf(Group.class);
        boolean quick = false;
        boolean json = false;
        List<String> backends = new ArrayList<>();
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "all" -> groups.addAll(Group.HOT_PATHS);
                case "squeeze" -> groups.add(Group.SQUEEZE);
                case "spectral" -> groups.add(Group.SPECTRAL);
                case "similarity" -> groups.add(Group.SIMILARITY);
                case "text" -> groups.add(Group.TEXT);
                case "--quick" -> quick = true;
                case "--json" -> json = true;
                case "--backends" -> {
                    for (String b : value(args, ++i, a).split(",")) {
                        String id = b.trim().toLowerCase(Locale.ROOT);
                        if (!List.of("java", "native", "cuda").contains(id)) {
                            throw new IllegalArgumentException("unknown backend '" + b + "' in --backends: expected java, native or cuda");
                        }
                        backends.add(id);
                    }
                }
                case "--out" -> out = Path.of(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        if (groups.isEmpty()) {
            groups.addAll(Group.HOT_PATHS);
        }
        return new SuiteOptions(groups, quick, json, List.copyOf(backends), out);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
