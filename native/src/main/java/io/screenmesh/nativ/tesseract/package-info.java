/**
 * FFM bindings to Tesseract 5's C API ({@code libtesseract.so.5}, Debian's
 * {@code libtesseract-dev}): one {@link io.screenmesh.nativ.tesseract.Tesseract} engine per thread,
 * words with their boxes and confidences, orientation detection and a per-call time limit.
 */
package io.screenmesh.nativ.tesseract;
