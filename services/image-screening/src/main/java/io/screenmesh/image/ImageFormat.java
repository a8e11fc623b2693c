package io.screenmesh.image;

/**
 * The image formats the service accepts, recognised by their magic bytes alone: a file name or
 * a declared content type is never trusted.
 */
public enum ImageFormat {
  /** PNG: the 8-byte signature {@code 89 50 4E 47 0D 0A 1A 0A}. */
  PNG("png"),
  /** JPEG: SOI {@code FF D8} followed by a marker {@code FF}. */
  JPEG("jpeg"),
  /** GIF: {@code GIF87a} or {@code GIF89a}. */
  GIF("gif"),
  /** BMP: {@code BM}. */
  BMP("bmp");

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  private final String id;

  ImageFormat(String id) {
    this.id = id;
  }

  /** The lower-case name reported in responses and understood by ImageIO. */
  public String id() {
    return id;
  }

  /** The format {@code data} starts like, or null when it is none of the accepted ones. */
  public static ImageFormat sniff(byte[] data) {
    if (startsWith(data, PNG_SIGNATURE)) {
      return PNG;
    }
    if (data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
      return JPEG;
    }
    if (data.length >= 6 && data[0] == 'G' && data[1] == 'I' && data[2] == 'F' && data[3] == '8'
        && (data[4] == '7' || data[4] == '9') && data[5] == 'a') {
      return GIF;
    }
    if (data.length >= 2 && data[0] == 'B' && data[1] == 'M') {
      return BMP;
    }
    return null;
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
