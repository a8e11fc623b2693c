package io.screenmesh.bench.jmh;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures a peer script printed, by the name on each line. The peers' {@code common.report}
 * prints {@code "<name padded> median <ms> ms  (min <ms>, max <ms>)  -> <value> <unit>"}; other
 * lines (banners, shapes, BLAS configuration) are kept only in the log.
 */
public final class PeerOutput {
    private static final Pattern LINE = Pattern.compile(
            "^(?<name>\\S.*?)\\s+median\\s+(?<ms>[0-9.]+) ms\\s+\\(min\\s+[0-9.]+, max\\s+[0-9.]+\\)\\s+->\\s+(?<value>[0-9.]+(?:[eE][+-]?[0-9]+)?) (?<unit>\\S+)\\s*$");

    /** One reported figure: the median throughput and its unit. */
    public record Figure(String name, double value, String unit, double medianMillis) {
    }

    private final Map<String, Figure> figures;

    private PeerOutput(Map<String, Figure> figures) {
        this.figures = figures;
    }

    /** Parses a peer's whole output. */
    public static PeerOutput parse(String output) {
        Map<String, Figure> figures = new LinkedHashMap<>();
        for (String line : output.split("\\R")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                String name = m.group("name").strip();
                figures.put(name, new Figure(name, Double.parseDouble(m.group("value")), m.group("unit"),
                        Double.parseDouble(m.group("ms"))));
            }
        }
        return new PeerOutput(Map.copyOf(figures));
    }

    /** The figure whose name starts with {@code prefix} (names are long and padded; prefixes are stable). */
    public Optional<Figure> find(String prefix) {
        return figures.values().stream().filter(f -> f.name().startsWith(prefix)).findFirst();
    }

    /** Every parsed figure by name. */
    public Map<String, Figure> figures() {
        return figures;
    }
}
