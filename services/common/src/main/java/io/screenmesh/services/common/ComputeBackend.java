package io.screenmesh.services.common;

import io.screenmesh.common.v1.Backend;
import io.screenmesh.services.common.engine.EngineMetrics;
import io.screenmesh.kernels.AccelerationProvider;
import io.screenmesh.kernels.AccelerationProviders;
import io.screenmesh.kernels.Similarity;
import io.screenmesh.kernels.Spectral;
import io.screenmesh.kernels.Squeeze;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The compute backend of this service, chosen once at start-up from
 * {@code screenmesh.backend} ({@code auto}, {@code cuda}, {@code native}, {@code java}), which
 * Quarkus reads from application.properties, {@code -Dscreenmesh.backend} or
 * {@code SCREENMESH_BACKEND}. {@code auto} falls back (one WARN per refusal); an explicit
 * backend that cannot start fails start-up with the reason. The hot-path facades of the service
 * come from here, never from a static holder, so the configured choice is the one used; every
 * response reports it ({@link #proto()}), and one INFO line names it. Created when a service
 * first injects it (the modality services do at start-up, building their engines); the front
 * door, which has no hot path, never chooses a backend.
 */
@ApplicationScoped
public class ComputeBackend {

  private static final Logger LOG = Logger.getLogger(ComputeBackend.class);

  private final String choice;
  private final AccelerationProvider provider;
  private final Squeeze squeeze;
  private final Spectral spectral;
  private final Similarity similarity;

  /**
   * Chooses the backend.
   *
   * @throws io.screenmesh.kernels.BackendUnavailableException when an explicit choice cannot start
   */
  public ComputeBackend(@ConfigProperty(name = "screenmesh.backend", defaultValue = "auto") String choice) {
    this.choice = choice;
    this.provider = AccelerationProviders.choose(choice);
    this.squeeze = Squeeze.on(provider);
    this.spectral = Spectral.on(provider);
    this.similarity = Similarity.on(provider);
    LOG.infof("compute backend: %s (%s), screenmesh.backend=%s", provider.backend().id(), provider.description(), choice);
    EngineMetrics.reportBackend(proto().name());
  }

  /** The configured choice, such as {@code auto}. */
  public String choice() {
    return choice;
  }

  /** The provider in use. */
  public AccelerationProvider provider() {
    return provider;
  }

  /** Feature squeezing on this backend. */
  public Squeeze squeeze() {
    return squeeze;
  }

  /** Spectral gating and filtering on this backend. */
  public Spectral spectral() {
    return spectral;
  }

  /** Embedding similarity on this backend. */
  public Similarity similarity() {
    return similarity;
  }

  /** The backend as reported in {@code ProcessingInfo.backend}. */
  public Backend proto() {
    return toProto(provider.backend());
  }

  /** The protocol value of a kernels backend. */
  public static Backend toProto(io.screenmesh.kernels.Backend b) {
    return switch (b) {
      case JAVA -> Backend.BACKEND_JAVA;
      case NATIVE -> Backend.BACKEND_NATIVE;
      case CUDA -> Backend.BACKEND_CUDA;
    };
  }
}
