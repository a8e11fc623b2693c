package io.screenmesh.fusion.quota;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.util.Map;
import java.util.Optional;

/**
 * Per-principal quotas of the front door, prefix {@code screenmesh.quota}: a limit for one
 * principal by name ({@code principals."<sub>".*}), for the holders of a scope
 * ({@code scopes."<scope>".*}) and for everyone else ({@code default.*}). A principal gets its
 * own entry if there is one, else the most generous entry among its scopes, else the default.
 * A limit without {@code requests-per-second} (or {@code bytes-per-second}) does not limit
 * requests (or bytes); nothing is limited unless configured.
 */
@ConfigMapping(prefix = "screenmesh.quota")
public interface QuotaConfig {

  /** The limit of principals without an entry of their own or of a scope. */
  @WithName("default")
  Limit fallback();

  /** Limits by principal name (the token's subject; {@code static-token} for the static token). */
  Map<String, Limit> principals();

  /** Limits by scope. */
  Map<String, Limit> scopes();

  /** One principal's buckets. */
  interface Limit {
    /** Items per second, refilled continuously; unset: unlimited. */
    Optional<Double> requestsPerSecond();

    /** Items that may come at once; default: one second's worth, at least 1. */
    Optional<Double> requestBurst();

    /** Item bytes (serialized request size) per second; unset: unlimited. */
    Optional<Double> bytesPerSecond();

    /** Bytes that may come at once; default: one second's worth. */
    Optional<Double> byteBurst();
  }
}
