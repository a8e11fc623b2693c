package io.screenmesh.audio;

import io.screenmesh.services.common.engine.Detector;

/**
 * An audio detector: a CDI bean of this type is registered with the audio engine, enabled by
 * {@code screenmesh.audio.detectors.<id>.enabled} and bounded by
 * {@code screenmesh.audio.detectors.<id>.timeout} (the id without its {@code audio.} prefix). A
 * non-generic type so that CDI can collect every audio detector with one
 * {@code Instance<AudioDetector>}.
 */
public interface AudioDetector extends Detector<PreparedAudio> {}
