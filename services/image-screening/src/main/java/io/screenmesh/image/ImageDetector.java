package io.screenmesh.image;

import io.screenmesh.services.common.engine.Detector;

/**
 * A detector of image-screening: a CDI bean of this type is registered with the image engine,
 * enabled by {@code screenmesh.image.detectors.<name>.enabled} and bounded by
 * {@code screenmesh.image.detectors.<name>.timeout}, where {@code <name>} is its id without the
 * {@code image.} prefix. Non-generic so that CDI can collect every implementation.
 */
public interface ImageDetector extends Detector<PreparedImage> {}
