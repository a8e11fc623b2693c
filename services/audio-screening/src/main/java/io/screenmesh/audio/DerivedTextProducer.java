package io.screenmesh.audio;

import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.screenmesh.services.common.DerivedTextScreener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The client for text that detectors derive from a clip (metadata now, transcripts later): one
 * {@link DerivedTextScreener} over the {@code text} gRPC client, bounded by
 * {@code screenmesh.audio.text-timeout}.
 */
@ApplicationScoped
public class DerivedTextProducer {

  /** Produces the screener shared by the detectors. */
  @Produces
  @Singleton
  DerivedTextScreener derivedText(@GrpcClient("text") Channel channel, AudioConfig config) {
    return new DerivedTextScreener(channel, config.textTimeout());
  }
}
