package io.screenmesh.text.known;

import io.screenmesh.common.v1.Category;
import java.util.Locale;

/**
 * One known attack: a short text that stands for a family of attacks, and where it came from.
 *
 * @param id stable id, named in findings' evidence (the bundled set's ids start with {@code ka-})
 * @param category what the attack is after, as written in its file (for example
 *     {@code injection}, {@code prompt_injection_indirect}, {@code harmful_request})
 * @param text the attack text
 */
public record Exemplar(String id, String category, String text) {

  /**
   * The finding category of {@link #category()}. Harmful requests count as jailbreaks: the
   * jailbreak threat is about getting such requests answered, and the contract has no category
   * of their own.
   */
  public Category findingCategory() {
    String c = category.toLowerCase(Locale.ROOT);
    if (c.contains("extract") || c.contains("system_prompt") || c.contains("leak")) {
      return Category.CATEGORY_SYSTEM_PROMPT_EXTRACTION;
    }
    if (c.contains("exfil")) {
      return Category.CATEGORY_DATA_EXFILTRATION;
    }
    if (c.contains("jailbreak") || c.contains("harm") || c.contains("role")) {
      return Category.CATEGORY_JAILBREAK;
    }
    return Category.CATEGORY_PROMPT_INJECTION;
  }
}
