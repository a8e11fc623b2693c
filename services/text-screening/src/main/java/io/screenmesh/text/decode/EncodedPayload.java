package io.screenmesh.text.decode;

/**
 * A run of text that decodes to readable text.
 *
 * @param encoding the encoding: {@code base64}, {@code rot13-base64} (base64 put through rot13),
 *     {@code hex} or {@code url}
 * @param start start of the encoded run in the scanned text, UTF-16 units
 * @param end end of the encoded run, UTF-16 units, exclusive
 * @param decoded the decoded text
 */
public record EncodedPayload(String encoding, int start, int end, String decoded) {}
