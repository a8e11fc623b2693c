package io.screenmesh.fusion.extraction;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The front door's model-extraction monitor, prefix {@code screenmesh.extraction}. */
@ConfigMapping(prefix = "screenmesh.extraction")
public interface ExtractionConfig {

  /** Whether text parts' embeddings are requested and each principal's queries judged. */
  @WithDefault("true")
  boolean enabled();

  /** What a flagged principal's items get: {@code flag} (at least FLAG) or {@code block}. */
  @WithDefault("flag")
  String action();

  /** Principals tracked at once (the least recently seen is forgotten). */
  @WithDefault("1000")
  int maxPrincipals();

  /** Stored queries per principal. */
  @WithDefault("128")
  int growingSet();

  /** Nearest-query distances kept per principal and tested. */
  @WithDefault("500")
  int window();

  /** Queries of a principal before it can be flagged. */
  @WithDefault("100")
  int minQueries();

  /** Shapiro–Wilk W below which a principal is flagged. */
  @WithDefault("0.5")
  double wThreshold();
}
