package io.screenmesh.fusion;

import io.grpc.Status;
import io.quarkus.runtime.Startup;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.fusion.policy.FailMode;
import io.screenmesh.fusion.policy.Policy;
import io.screenmesh.fusion.policy.PolicyFileException;
import io.screenmesh.fusion.policy.PolicyLoader;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.services.common.auth.Principal;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The policies the front door can apply, loaded once at start-up from
 * {@code screenmesh.fusion.policy-file} (or the bundled {@code policies.yaml}). Eager, so
 * a broken policies file or an unknown {@code screenmesh.fusion.default-policy} stops the
 * service at start-up with the list of problems instead of failing requests later.
 */
@Startup
@Singleton
public final class PolicyRegistry {

  private static final Logger LOG = Logger.getLogger(PolicyRegistry.class);

  private final Map<String, Policy> policies;
  private final Policy defaultPolicy;

  /**
   * Loads the configured policies file.
   *
   * @throws PolicyFileException when the file is missing or invalid
   * @throws IllegalArgumentException when the default policy is not in the file
   */
  @Inject
  public PolicyRegistry(FusionConfig config) {
    this(config.policyFile().map(p -> PolicyLoader.load(Path.of(p))).orElseGet(PolicyLoader::loadBundled),
        config.defaultPolicy());
    LOG.infof("fusion policies loaded from %s: %s (default %s)",
        config.policyFile().orElse("classpath:" + PolicyLoader.BUNDLED_RESOURCE),
        new TreeSet<>(policies.keySet()), defaultPolicy.name());
  }

  /**
   * Serves {@code policies}.
   *
   * @param policies the policies by name
   * @param defaultPolicy the name of the policy for requests that name none
   * @throws IllegalArgumentException when {@code defaultPolicy} is not among {@code policies}
   *     or fails open
   */
  public PolicyRegistry(Map<String, Policy> policies, String defaultPolicy) {
    this.policies = Map.copyOf(policies);
    this.defaultPolicy = this.policies.get(defaultPolicy);
    if (this.defaultPolicy == null) {
      throw new IllegalArgumentException("screenmesh.fusion.default-policy is '" + defaultPolicy
          + "', which the policies file does not define; it defines " + new TreeSet<>(policies.keySet()));
    }
    if (failsOpen(this.defaultPolicy)) {
      // Every caller gets the default without a scope: it must not let unscreened parts through.
      throw new IllegalArgumentException("screenmesh.fusion.default-policy is '" + defaultPolicy
          + "', which fails open; the default must fail closed (callers pick a fail-open policy by name, with its scope)");
    }
  }

  /**
   * The policy named {@code name} for a caller that may use every policy (no authentication).
   *
   * @throws ScreeningException as {@link #resolve(String, Principal)}
   */
  public Policy resolve(String name) {
    return resolve(name, Principal.UNAUTHENTICATED);
  }

  /**
   * The policy named {@code name}, or the default policy for an empty name, for
   * {@code caller}. A policy that fails open for any modality needs the caller's scope
   * {@code policy:<name>}: otherwise any caller could opt out of fail-closed screening.
   *
   * @throws ScreeningException INVALID_ARGUMENT with reason {@code POLICY_UNKNOWN} for a name
   *     that is not defined (the message lists only the policies {@code caller} may use);
   *     PERMISSION_DENIED with reason {@code POLICY_SCOPE_MISSING} for a fail-open policy
   *     without its scope
   */
  public Policy resolve(String name, Principal caller) {
    if (name == null || name.isEmpty()) {
      return defaultPolicy;
    }
    Policy p = policies.get(name);
    if (p == null) {
      throw ScreeningException.invalid("POLICY_UNKNOWN", "no policy named '" + truncate(name)
          + "'; policies open to this caller: " + usableBy(caller));
    }
    if (!mayUse(caller, p)) {
      throw new ScreeningException(Status.Code.PERMISSION_DENIED, "POLICY_SCOPE_MISSING", "policy '" + p.name()
          + "' fails open when a service is down; it needs scope '" + Principal.policyScope(p.name()) + "'");
    }
    return p;
  }

  /** True when {@code caller} may select {@code policy}: it fails closed, or the caller holds its scope. */
  static boolean mayUse(Principal caller, Policy policy) {
    return !failsOpen(policy) || caller.has(Principal.policyScope(policy.name()));
  }

  /** True when {@code policy} lets some unscreened part through. */
  static boolean failsOpen(Policy policy) {
    return Stream.of(Modality.MODALITY_TEXT, Modality.MODALITY_IMAGE, Modality.MODALITY_AUDIO)
        .anyMatch(m -> policy.failMode(m) == FailMode.OPEN);
  }

  private Set<String> usableBy(Principal caller) {
    Set<String> names = new TreeSet<>();
    policies.values().stream().filter(p -> mayUse(caller, p)).forEach(p -> names.add(p.name()));
    return names;
  }

  private static String truncate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
