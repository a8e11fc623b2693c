package io.screenmesh.fusion.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import org.jboss.logging.Logger;

/** Makes the front door's {@link AuditSink}: the configured {@link AuditLog}, or none. */
@ApplicationScoped
public class AuditProducer {

  private static final Logger LOG = Logger.getLogger(AuditProducer.class);

  @Produces
  @Singleton
  AuditSink auditSink(AuditConfig config) {
    if (config.file().isEmpty() || config.file().get().isBlank()) {
      LOG.warn("no audit log: screenmesh.audit.file is not set, so verdicts are not recorded");
      return AuditSink.NONE;
    }
    return new AuditLog(Path.of(config.file().get()), config.maxFileBytes(), config.includeContent(), Clock.systemUTC());
  }

  void close(@Disposes AuditSink sink) {
    if (sink instanceof AuditLog log) {
      log.close();
    }
  }
}
