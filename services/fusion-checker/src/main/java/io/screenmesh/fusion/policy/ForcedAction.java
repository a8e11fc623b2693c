package io.screenmesh.fusion.policy;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Severity;

/**
 * A policy rule that decides findings of one category directly, whatever their score: a
 * finding of {@code category} with a severity of at least {@code minSeverity} yields
 * {@code action}.
 *
 * @param category the category the rule applies to
 * @param minSeverity the lowest severity the rule applies to ({@code SEVERITY_INFO} for all)
 * @param action the decision such a finding yields
 */
public record ForcedAction(Category category, Severity minSeverity, Decision action) {

  /** True when this rule decides {@code finding}. */
  public boolean matches(Finding finding) {
    return finding.getCategory() == category
        && finding.getSeverity().getNumber() >= minSeverity.getNumber();
  }
}
