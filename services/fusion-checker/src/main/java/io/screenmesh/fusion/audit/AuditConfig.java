package io.screenmesh.fusion.audit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** The front door's audit log, prefix {@code screenmesh.audit}. */
@ConfigMapping(prefix = "screenmesh.audit")
public interface AuditConfig {

  /**
   * The log file (JSONL, one hash-chained record per item). Unset: no audit log, and the
   * front door says so at start-up.
   */
  Optional<String> file();

  /**
   * Size at which the file is rotated: renamed to {@code <name>.<first seq>-<last seq>} beside
   * it; the chain goes on in the new file.
   */
  @WithDefault("67108864")
  long maxFileBytes();

  /**
   * Whether records carry the text parts themselves. Off by default: a record holds the
   * request's SHA-256, which proves what was screened without keeping it.
   */
  @WithDefault("false")
  boolean includeContent();
}
