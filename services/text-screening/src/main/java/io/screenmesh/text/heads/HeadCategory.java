package io.screenmesh.text.heads;

import io.screenmesh.common.v1.Category;
import java.util.Locale;

/**
 * What a learned head recognizes. Each has one head, fitted on its own attacks against every
 * benign text: an attack of another category is neither a positive nor a negative for it, since a
 * jailbreak often carries a harmful request and an injected document may ask for anything.
 */
public enum HeadCategory {
  /** Direct and indirect prompt injection: an instruction to the model smuggled into its input. */
  INJECTION("injection", Category.CATEGORY_PROMPT_INJECTION, "prompt injection"),
  /** Jailbreak templates: role-play, personas and framings that switch a model's rules off. */
  JAILBREAK("jailbreak", Category.CATEGORY_JAILBREAK, "jailbreak"),
  /** Requests for harmful content: weapons, malware, fraud, abuse. */
  HARMFUL("harmful", Category.CATEGORY_HARMFUL_REQUEST, "harmful request");

  private final String key;
  private final Category category;
  private final String label;

  HeadCategory(String key, Category category, String label) {
    this.key = key;
    this.category = category;
    this.label = label;
  }

  /** The short name used in head files and finding ids ({@code text.head.<key>}). */
  public String key() {
    return key;
  }

  /** The finding category a hit of this head carries. */
  public Category category() {
    return category;
  }

  /** A name for people. */
  public String label() {
    return label;
  }

  /** The finding detector id, {@code text.head.<key>}. */
  public String findingId() {
    return "text.head." + key;
  }

  /** The head of {@code key}, as written in head files. */
  public static HeadCategory ofKey(String key) {
    for (HeadCategory c : values()) {
      if (c.key.equals(key)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown head '" + key + "' (known: injection, jailbreak, harmful)");
  }

  /**
   * The head that an attack row of a labeled JSONL file trains, from its {@code category}
   * ({@code prompt_injection_direct}, {@code jailbreak_in_the_wild}, {@code harmful_request}...);
   * null when the name says none of them.
   */
  public static HeadCategory ofDataCategory(String category) {
    String c = category == null ? "" : category.toLowerCase(Locale.ROOT);
    if (c.contains("injection")) {
      return INJECTION;
    }
    if (c.contains("jailbreak")) {
      return JAILBREAK;
    }
    if (c.contains("harmful")) {
      return HARMFUL;
    }
    return null;
  }
}
