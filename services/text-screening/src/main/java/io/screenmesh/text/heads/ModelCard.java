package io.screenmesh.text.heads;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** The model card {@code train} writes beside the heads: what they are, what they saw, how they scored. */
final class ModelCard {

  private ModelCard() {}

  static String write(TrainCommand.Options o, HeadSet set, List<LabeledData.Item> items, Trainer.CrossValidation cv,
      String report) {
    StringBuilder s = new StringBuilder();
    s.append("# Learned text heads: model card\n\n");
    s.append("Logistic-regression heads over sentence embeddings plus rule and unicode features, one per category (")
        .append(String.join(", ", set.heads().stream().map(h -> h.category().label()).toList()))
        .append("). text-screening scores every window of a text with each head and reports the worst window "
            + "above a head's threshold as a finding (`text.head.<category>`), its span the evidence.\n\n");
    s.append("| | |\n|---|---|\n");
    s.append("| embedding model sha256 | `").append(set.embeddingModelSha256()).append("` |\n");
    s.append("| feature spec | version ").append(set.spec().version()).append(": ")
        .append(set.spec().embeddingDimension()).append("-d window embedding + ")
        .append(FeatureSpec.RULE_CATEGORIES.size()).append(" rule/unicode categories (strongest hit in the window)")
        .append(switch (set.spec().length()) {
          case NONE -> ", no length feature";
          case CAPPED -> " + log length capped at " + FeatureSpec.LENGTH_CAP + " characters";
          case RAW -> " + raw log length (ablation only)";
        }).append(" |\n");
    s.append("| fit | class-balanced, sources weighted 1/sqrt(n), L2 ")
        .append(LogisticRegression.Options.defaults(o.seed()).l2())
        .append(", full-batch Adam, then a second fit on each attack's most attack-like window; seed ")
        .append(o.seed()).append(" |\n");
    s.append(String.format(Locale.ROOT, "| thresholds | at %.2f%% FPR, set together on out-of-fold benign scores |%n",
        100 * o.fpr()));
    s.append("| command | `./screenmesh train");
    for (Path f : o.files()) {
      s.append(" --text-jsonl ").append(f);
    }
    s.append(" --out ").append(o.out()).append(" --seed ").append(o.seed()).append(" --fpr ").append(o.fpr())
        .append(" --length ").append(o.length().name().toLowerCase(Locale.ROOT)).append("` |\n\n");

    s.append("## Data\n\n");
    for (Path f : o.files()) {
      Path readme = f.toAbsolutePath().getParent() == null ? null : f.toAbsolutePath().getParent().resolveSibling("README.md");
      s.append("- `").append(f.getFileName()).append("`: ").append(items.stream().filter(i -> i.file().equals(f)).count())
          .append(" rows").append(readme != null && Files.exists(readme)
              ? " (sources and licences described in the data's README.md, read by path, never copied)" : "")
          .append('\n');
    }
    s.append("\n| source | label | rows | licence | from |\n|---|---|---|---|---|\n");
    for (var e : TrainCommand.provenance(items).entrySet()) {
      String source = e.getKey();
      List<LabeledData.Item> rows = items.stream().filter(i -> i.source().equals(source)).toList();
      s.append("| ").append(source).append(" | ").append(rows.getFirst().label() == 1 ? "attack" : "benign")
          .append(" | ").append(rows.size()).append(" | ").append(cell(e.getValue()[0])).append(" | ")
          .append(cell(e.getValue()[1])).append(" |\n");
    }
    s.append("\n## Leave-one-source-out\n\nEach source scored by heads fitted without it; a head whose only attack "
        + "source is the held-out one is absent from that fold. RATE is the TPR of an attack source and the FPR of "
        + "a benign one at the calibrated thresholds; AUC is an attack source's against every benign text.\n\n```\n")
        .append(report).append("```\n\n");
    s.append("## Limits\n\n- English: the embedding model and the data are English; other languages get the rules "
        + "and whatever the embedding carries across.\n- The attack rows come from a few public collections; "
        + "attacks written differently (other templates, other languages, optimized suffixes) may score lower.\n"
        + "- The rule features read the rules of the build that trained the heads; retrain when the rules change.\n");
    return s.toString();
  }

  private static String cell(TreeSet<String> v) {
    return v.isEmpty() ? "-" : String.join("; ", v).replace("|", "\\|");
  }
}
