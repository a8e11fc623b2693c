package io.screenmesh.text;

import io.screenmesh.text.screen.ScreeningSettings;
import io.screenmesh.text.screen.TextScreener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Builds the one {@link TextScreener} of the application from its configuration. */
@ApplicationScoped
public class TextScreenerProducer {

  /** The screener, configured by {@code screenmesh.text.*}. */
  @Produces
  @Singleton
  TextScreener screener(TextScreeningConfig config) {
    return new TextScreener(new ScreeningSettings(config.maxTextLength(), config.maxIdLength(),
        config.decode().maxDepth(), config.decode().maxPayloads(), config.decode().maxChars(),
        config.decode().minBase64Length(), config.verdict().flagThreshold(),
        config.verdict().blockThreshold(), config.verdict().blockOnCritical()));
  }
}
