package io.screenmesh.cli;

import io.screenmesh.common.v1.Finding;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Plain-text tables for terminals. */
final class Table {

  private Table() {}

  /** One screened item: what was sent, what came back, how long it took (-1 if unknown). */
  record Row(String id, String parts, ScreenItemResponse response, double millis) {}

  static void printItems(List<Row> rows, PrintStream out) {
    String fmt = "%-22s %-18s %-8s %6s %8s  %s%n";
    out.printf(fmt, "SAMPLE", "PARTS", "VERDICT", "SCORE", "MS", "TOP FINDINGS");
    out.printf(fmt, "-".repeat(22), "-".repeat(18), "-".repeat(8), "-".repeat(6), "-".repeat(8), "-".repeat(40));
    for (Row r : rows) {
      ScreenItemResponse resp = r.response();
      out.printf(fmt, clip(r.id(), 22), clip(r.parts(), 18), decision(resp),
          String.format(Locale.ROOT, "%.2f", resp.getVerdict().getScore()),
          r.millis() < 0 ? "" : String.format(Locale.ROOT, "%.1f", r.millis()), topFindings(resp));
    }
  }

  static void printFindings(ScreenItemResponse r, PrintStream out) {
    for (PartResult p : r.getPartsList()) {
      out.printf("part %s (%s, %s)%n", p.getPartId(), p.getModality().name().replace("MODALITY_", "").toLowerCase(Locale.ROOT),
          p.getOutcome().name().replace("MODALITY_OUTCOME_", "").toLowerCase(Locale.ROOT));
      if (p.hasError()) {
        out.printf("  error %s: %s%n", p.getError().getReason(), p.getError().getMessage());
      }
      for (Finding f : p.getFindingsList()) {
        out.printf("  %-28s %-30s %-9s %.2f  %s%n", f.getDetector(), category(f),
            f.getSeverity().name().replace("SEVERITY_", ""), f.getScore(), f.getMessage());
      }
    }
  }

  static String decision(ScreenItemResponse r) {
    return r.getVerdict().getDecision().name().replace("DECISION_", "");
  }

  static String category(Finding f) {
    return f.getCategory().name().replace("CATEGORY_", "");
  }

  private static String topFindings(ScreenItemResponse r) {
    Set<String> cats = new LinkedHashSet<>();
    for (Finding f : r.getVerdict().getReasonsList()) {
      cats.add(category(f));
    }
    if (cats.isEmpty()) {
      for (PartResult p : r.getPartsList()) {
        for (Finding f : p.getFindingsList()) {
          cats.add(category(f));
        }
      }
    }
    return cats.isEmpty() ? "-" : String.join(", ", cats);
  }

  private static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
