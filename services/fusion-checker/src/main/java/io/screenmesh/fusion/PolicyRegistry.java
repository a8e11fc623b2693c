package io.screenmesh.fusion;

import io.quarkus.runtime.Startup;
import io.screenmesh.fusion.policy.Policy;
import io.screenmesh.fusion.policy.PolicyFileException;
import io.screenmesh.fusion.policy.PolicyLoader;
import io.screenmesh.services.common.ScreeningException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
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
   */
  public PolicyRegistry(Map<String, Policy> policies, String defaultPolicy) {
    this.policies = Map.copyOf(policies);
    this.defaultPolicy = this.policies.get(defaultPolicy);
    if (this.defaultPolicy == null) {
      throw new IllegalArgumentException("screenmesh.fusion.default-policy is '" + defaultPolicy
          + "', which the policies file does not define; it defines " + new TreeSet<>(policies.keySet()));
    }
  }

  /**
   * The policy named {@code name}, or the default policy for an empty name.
   *
   * @throws ScreeningException INVALID_ARGUMENT with reason {@code POLICY_UNKNOWN} for a
   *     name that is not defined
   */
  public Policy resolve(String name) {
    if (name == null || name.isEmpty()) {
      return defaultPolicy;
    }
    Policy p = policies.get(name);
    if (p == null) {
      throw ScreeningException.invalid("POLICY_UNKNOWN", "no policy named '" + truncate(name)
          + "'; known policies: " + new TreeSet<>(policies.keySet()));
    }
    return p;
  }

  private static String truncate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
