package io.screenmesh.audio;

import io.screenmesh.audio.speech.SpeechRecognizer;
import io.screenmesh.audio.speech.Transcripts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The one speech recognizer of the process (the Vosk model loads once, about a second), shared
 * by the detectors that listen to speech; freed at shutdown.
 */
@ApplicationScoped
public class SpeechProducer {

  /** Loads the model named by {@code screenmesh.audio.speech.model-path}, or the bundled one. */
  @Produces
  @Singleton
  SpeechRecognizer recognizer(AudioConfig config) {
    return SpeechRecognizer.load(config.speech().modelPath().orElse(""));
  }

  /** The transcripts shared by the speech and drift detectors within a batch. */
  @Produces
  @Singleton
  Transcripts transcripts(SpeechRecognizer recognizer) {
    return new Transcripts(recognizer);
  }

  void close(@Disposes SpeechRecognizer recognizer) {
    recognizer.close();
  }
}
