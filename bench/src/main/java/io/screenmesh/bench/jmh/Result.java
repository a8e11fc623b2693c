package io.screenmesh.bench.jmh;

import io.screenmesh.contract.JsonText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of the suite's report: an operation on one backend, beside one peer measured in the
 * same run. {@code value} is null when the backend was skipped or failed ({@code reason} says why);
 * {@code peerValue} and {@code ratio} are null when the peer could not run.
 *
 * @param op            operation id, e.g. {@code bitdepth5-f32}
 * @param backend       backend id, or {@code jvm} for the memory-copy reference
 * @param unit          unit of {@code value} and {@code peerValue}
 * @param value         our throughput
 * @param error         JMH's 99.9% error of {@code value}, same unit
 * @param peer          what the peer computes
 * @param peerValue     the peer's median throughput
 * @param ratio         value / peerValue
 * @param status        {@code ok}, {@code skipped} or {@code failed}
 * @param reason        why a backend was skipped or failed, or why the peer is missing
 * @param target        the goal for {@code ratio} (or for {@code membwFraction} on bit depth), or null
 * @param met           whether the target is met, or null when not measurable
 * @param membwGbps     the machine's memory-copy bandwidth in this run (bit depth only)
 * @param bandwidthGbps bytes read plus written per second by our bit depth (bit depth only)
 * @param membwFraction bandwidthGbps / membwGbps (bit depth only)
 */
public record Result(String op, String backend, String unit, Double value, Double error, String peer, Double peerValue,
                     Double ratio, String status, String reason, Double target, Boolean met, Double membwGbps,
                     Double bandwidthGbps, Double membwFraction) {

    /** A copy carrying the memory-bandwidth comparison, judged against {@code fractionTarget} unless it is null. */
    Result withBandwidth(double membw, double bandwidth, Double fractionTarget) {
        double fraction = bandwidth / membw;
        return new Result(op, backend, unit, value, error, peer, peerValue, ratio, status, reason, fractionTarget,
                fractionTarget == null ? null : fraction >= fractionTarget, membw, bandwidth, fraction);
    }

    /** The report as a JSON array, one object per result, keys in snake case, nulls kept. */
    public static String toJson(List<Result> results) {
        StringBuilder b = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            b.append("  {");
            field(b, "op", r.op, true);
            field(b, "backend", r.backend, false);
            field(b, "unit", r.unit, false);
            field(b, "value", r.value, false);
            field(b, "peer", r.peer, false);
            field(b, "peer_value", r.peerValue, false);
            field(b, "ratio", r.ratio, false);
            field(b, "status", r.status, false);
            field(b, "reason", r.reason, false);
            field(b, "error", r.error, false);
            field(b, "target", r.target, false);
            field(b, "met", r.met, false);
            if (r.membwGbps != null) {
                field(b, "membw_gbps", r.membwGbps, false);
                field(b, "bandwidth_gbps", r.bandwidthGbps, false);
                field(b, "membw_fraction", r.membwFraction, false);
            }
            b.append(i + 1 < results.size() ? "},\n" : "}\n");
        }
        return b.append("]\n").toString();
    }

    /** The report as an aligned text table. */
    public static String toTable(List<Result> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"op", "backend", "throughput", "unit", "peer (same run)", "peer value", "ratio", "target"});
        for (Result r : results) {
            String value = r.value == null ? r.status : number(r.value) + (r.error != null && r.error > 0 ? " ±" + number(r.error) : "");
            String target;
            if (r.membwGbps != null) {
                target = String.format(Locale.ROOT, "%.0f%% of membw %.1f GB/s (%.1f GB/s)",
                        100 * r.membwFraction, r.membwGbps, r.bandwidthGbps)
                        + (r.target == null ? "" : String.format(Locale.ROOT, ", goal %.0f%%: %s", 100 * r.target, verdict(r.met)));
            } else if (r.target == null) {
                target = "";
            } else {
                target = "goal ≥ " + number(r.target) + "x: " + verdict(r.met);
            }
            rows.add(new String[] {r.op, r.backend, value, r.unit, r.peer == null ? "" : r.peer,
                    r.peerValue == null ? "" : number(r.peerValue),
                    r.ratio == null ? "" : String.format(Locale.ROOT, "%.2fx", r.ratio), target});
        }
        int[] width = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                boolean numeric = c == 2 || c == 5 || c == 6;
                String cell = numeric ? " ".repeat(width[c] - row[c].length()) + row[c]
                        : row[c] + " ".repeat(width[c] - row[c].length());
                line.append(cell).append(c + 1 < row.length ? "  " : "");
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        java.util.Set<String> notes = new java.util.LinkedHashSet<>();
        for (Result r : results) {
            if (r.reason != null) {
                notes.add("note: " + ("skipped".equals(r.status) ? r.backend + " skipped: " : r.op + " " + r.backend + ": ") + r.reason);
            }
        }
        notes.forEach(n -> b.append(n).append('\n'));
        return b.toString();
    }

    private static String verdict(Boolean met) {
        return met == null ? "n/a" : met ? "met" : "MISSED";
    }

    private static String number(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static void field(StringBuilder b, String key, Object value, boolean first) {
        if (!first) {
            b.append(", ");
        }
        b.append('"').append(key).append("\": ");
        switch (value) {
            case null -> b.append("null");
            case Double d when d.isNaN() || d.isInfinite() -> b.append("null");
            case Double d -> b.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue())
                    : String.format(Locale.ROOT, "%.6g", d));
            case Boolean t -> b.append(t);
            default -> JsonText.quote(b, value.toString());
        }
    }
}
