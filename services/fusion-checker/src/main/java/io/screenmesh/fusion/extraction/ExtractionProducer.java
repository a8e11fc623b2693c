package io.screenmesh.fusion.extraction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Makes the front door's {@link ExtractionGuard} from {@link ExtractionConfig}. */
@ApplicationScoped
public class ExtractionProducer {

  private static final Logger LOG = Logger.getLogger(ExtractionProducer.class);

  @Produces
  @Singleton
  ExtractionGuard extractionGuard(ExtractionConfig config) {
    ExtractionGuard guard = ExtractionGuard.of(config);
    LOG.infof(guard.enabled() ? "model-extraction monitor on (action %s, W < %.2f from %d queries)"
        : "model-extraction monitor off", config.action(), config.wThreshold(), config.minQueries());
    return guard;
  }
}
