package io.screenmesh.fusion;

import io.grpc.ManagedChannelBuilder;
import io.quarkus.grpc.api.ChannelBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcClientConfiguration;
import io.screenmesh.contract.ServiceConfigs;
import jakarta.enterprise.context.Dependent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Gives the front door's channels to the modality services (the gRPC clients {@code text},
 * {@code image} and {@code audio}) the contract's service config ({@link ServiceConfigs}):
 * a timeout per method and retries of {@code UNAVAILABLE} only, at most 3 attempts. A call's
 * own deadline, derived from the caller's, still applies when it is the shorter.
 *
 * <p>Quarkus enables or disables retries after the customizers have run, from
 * {@code quarkus.grpc.clients.<name>.retry}; application.properties sets it for the three
 * clients, and a client built without it is reported with a WARN.
 *
 * <p>Generic over the builder (Quarkus builds Netty channels by default) and so, as CDI
 * requires of a bean class with a type parameter, {@code @Dependent}.
 *
 * @param <T> the channel builder's type
 */
@Dependent
public class ModalityChannelConfig<T extends ManagedChannelBuilder<T>> implements ChannelBuilderCustomizer<T> {

  private static final Logger LOG = Logger.getLogger(ModalityChannelConfig.class);

  /** The gRPC client names that reach a modality service. */
  static final Set<String> MODALITY_CLIENTS = Set.of("text", "image", "audio");

  @Override
  public Map<String, Object> customize(String name, GrpcClientConfiguration config, T builder) {
    Map<String, Object> serviceConfig = serviceConfigFor(name);
    if (!serviceConfig.isEmpty() && !config.retry()) {
      LOG.warnf("gRPC client %s: retries are off, so UNAVAILABLE is not retried; set quarkus.grpc.clients.%s.retry=true",
          name, name);
    }
    return serviceConfig;
  }

  /**
   * The default service config of the named client: the contract's for a modality client,
   * none for any other.
   */
  static Map<String, Object> serviceConfigFor(String clientName) {
    return MODALITY_CLIENTS.contains(clientName) ? new LinkedHashMap<>(ServiceConfigs.defaultServiceConfig()) : Map.of();
  }
}
