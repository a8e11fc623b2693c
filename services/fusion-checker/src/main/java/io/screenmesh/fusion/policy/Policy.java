package io.screenmesh.fusion.policy;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A named fusion policy, as read from the policies YAML file by {@link PolicyLoader}: how
 * findings are scored, where the FLAG and BLOCK thresholds lie, which categories are
 * decided by rule, and what happens when a modality service cannot screen a part. The
 * arithmetic that uses it is in {@link VerdictFusion}. Immutable.
 *
 * @param name the policy's name, as callers give it in {@code ScreenItemRequest.policy}
 * @param description a sentence for operators; may be empty
 * @param severityScores the base score of each severity, in [0, 1]
 * @param categoryWeights weights of the categories listed in the file
 * @param defaultWeight the weight of every category not listed
 * @param flagThreshold fused scores at or above this (and below {@code blockThreshold}) FLAG
 * @param blockThreshold fused scores at or above this BLOCK
 * @param actions rules that decide findings of a category directly; the first match wins
 * @param failModes fail-closed or fail-open per modality; modalities not listed fail closed
 */
public record Policy(
    String name,
    String description,
    Map<Severity, Double> severityScores,
    Map<Category, Double> categoryWeights,
    double defaultWeight,
    double flagThreshold,
    double blockThreshold,
    List<ForcedAction> actions,
    Map<Modality, FailMode> failModes) {

  /** Copies the collections so a policy cannot change after it was validated. */
  public Policy {
    severityScores = Map.copyOf(new EnumMap<>(severityScores));
    categoryWeights = categoryWeights.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(categoryWeights));
    actions = List.copyOf(actions);
    failModes = failModes.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(failModes));
  }

  /** The base score of {@code severity}; 0 for an unset severity. */
  public double severityScore(Severity severity) {
    return severityScores.getOrDefault(severity, 0.0);
  }

  /** The weight of {@code category}. */
  public double weight(Category category) {
    return categoryWeights.getOrDefault(category, defaultWeight);
  }

  /** What this policy does when {@code modality}'s service cannot screen a part. */
  public FailMode failMode(Modality modality) {
    return failModes.getOrDefault(modality, FailMode.CLOSED);
  }

  /** The first rule that decides {@code finding}, if any. */
  public Optional<ForcedAction> forcedAction(Finding finding) {
    for (ForcedAction a : actions) {
      if (a.matches(finding)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** The decision the thresholds give a score. */
  public Decision decide(double score) {
    if (score >= blockThreshold) {
      return Decision.DECISION_BLOCK;
    }
    if (score >= flagThreshold) {
      return Decision.DECISION_FLAG;
    }
    return Decision.DECISION_ALLOW;
  }
}
