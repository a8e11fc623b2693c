package io.screenmesh.image;

import io.screenmesh.image.metadata.MetadataExtractor;
import io.screenmesh.image.v1.ScreenImageRequest;

/**
 * One image as the detectors read it: the request, its encoded bytes, the pixels decoded under
 * the limits, the text and notes read from its metadata, and its squeezed variants computed on
 * the compute backend.
 *
 * @param request the caller's request
 * @param data the encoded image, as sent ({@code request.getData()} copied once)
 * @param image the decoded pixels
 * @param metadata the metadata text and notes
 * @param squeezed the squeezed variants of {@code image}'s pixels
 */
public record PreparedImage(ScreenImageRequest request, byte[] data, DecodedImage image,
    MetadataExtractor.Extraction metadata, ImageSqueeze.Variants squeezed) {}
