package io.screenmesh.image;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.screenmesh.services.common.ScreeningException;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.RasterFormatException;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.jboss.logging.Logger;

/**
 * Decodes untrusted images into an RGB/RGBA raster under limits. The format is taken from the
 * magic bytes; the byte limit is checked first, then the dimensions and the decode memory
 * declared in the header (by our own parser and again by the ImageIO reader's header read)
 * before any pixel is decoded; the decode then waits for its share of a {@link DecodeBudget}
 * shared by all decodes in flight. Any warning or format error while decoding makes the image
 * malformed rather than silently half-decoded; running out of memory or an internal failure is
 * never reported as the caller's malformed input. A decode stops, between rows, when the call
 * it was made for ends. Thread-safe.
 */
public final class SafeImageDecoder {

  /** The reason for an empty request. */
  public static final String EMPTY = "IMAGE_EMPTY";
  /** The reason for data over the byte limit. */
  public static final String TOO_LARGE = "IMAGE_TOO_LARGE";
  /** The reason for declared dimensions over the pixel or side limit. */
  public static final String DIMENSIONS_TOO_LARGE = "IMAGE_DIMENSIONS_TOO_LARGE";
  /** The reason for an image whose decode would need more memory than one decode may use. */
  public static final String DECODE_TOO_LARGE = "IMAGE_DECODE_TOO_LARGE";
  /** The reason for a decode that ran out of memory (the server's condition, not the image's). */
  public static final String DECODE_MEMORY = "IMAGE_DECODE_MEMORY";
  /** The reason for a decode that failed inside the server for a cause other than the data. */
  public static final String DECODE_INTERNAL = "IMAGE_DECODE_INTERNAL";
  /** The reason for data that is not an accepted format. */
  public static final String FORMAT_UNSUPPORTED = "IMAGE_FORMAT_UNSUPPORTED";

  /** The default decode memory budget, 768 MiB: two decodes at the default per-image maximum. */
  public static final long DEFAULT_BUDGET_BYTES = 2 * ImageLimits.DEFAULT_MAX_DECODE_BYTES;

  // Java arrays are indexed by int; the copy is one array.
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
  private static final Logger LOG = Logger.getLogger(SafeImageDecoder.class);

  static {
    // Decoding happens in memory; ImageIO's default disk cache would spill untrusted data to /tmp.
    ImageIO.setUseCache(false);
  }

  /** How the pixels of the first frame are read: ImageIO's reader, or a test's stand-in. */
  @FunctionalInterface
  interface FrameReader {
    BufferedImage read(ImageReader reader, ImageReadParam param) throws Exception;
  }

  private final ImageLimits limits;
  private final DecodeBudget budget;
  private final FrameReader frames;

  /**
   * Creates a decoder enforcing {@code limits} with a budget of its own: the larger of
   * {@value #DEFAULT_BUDGET_BYTES} bytes and one decode at the limit, waited for up to 5 s.
   */
  public SafeImageDecoder(ImageLimits limits) {
    this(limits, new DecodeBudget(Math.max(DEFAULT_BUDGET_BYTES, limits.maxDecodeBytes()),
        java.time.Duration.ofSeconds(5)));
  }

  /**
   * Creates a decoder enforcing {@code limits} whose decodes share {@code budget}.
   *
   * @throws IllegalArgumentException when the budget is smaller than one decode at the limit,
   *     which would leave images within the limits that can never be decoded
   */
  public SafeImageDecoder(ImageLimits limits, DecodeBudget budget) {
    this(limits, budget, (reader, param) -> reader.read(0, param));
  }

  SafeImageDecoder(ImageLimits limits, DecodeBudget budget, FrameReader frames) {
    if (budget.capacity() < limits.maxDecodeBytes()) {
      throw new IllegalArgumentException("the decode memory budget (" + budget.capacity()
          + " bytes) is smaller than the decode memory of one image (max-decode-bytes, "
          + limits.maxDecodeBytes() + "): raise screenmesh.image.decode-memory-budget");
    }
    this.limits = limits;
    this.budget = budget;
    this.frames = frames;
  }

  /**
   * Reads the header of {@code data} and checks it against the limits, decoding nothing.
   *
   * @throws ScreeningException INVALID_ARGUMENT ({@value #EMPTY}, {@value #FORMAT_UNSUPPORTED},
   *     {@code IMAGE_MALFORMED}) or RESOURCE_EXHAUSTED ({@value #TOO_LARGE},
   *     {@value #DIMENSIONS_TOO_LARGE}, {@value #DECODE_TOO_LARGE})
   */
  public ImageHeader checkHeader(byte[] data) {
    if (data.length == 0) {
      throw ScreeningException.invalid(EMPTY, "the image is empty");
    }
    if (data.length > limits.maxBytes()) {
      throw ScreeningException.tooLarge(TOO_LARGE, "the image has " + data.length
          + " bytes; the limit is " + limits.maxBytes());
    }
    ImageFormat format = ImageFormat.sniff(data);
    if (format == null) {
      throw ScreeningException.invalid(FORMAT_UNSUPPORTED,
          "the data is not a PNG, JPEG, GIF or BMP image");
    }
    ImageHeader header = ImageHeader.read(format, data);
    checkLimits(header);
    return header;
  }

  /**
   * Decodes {@code data} for the current gRPC call, if any ({@link Context#current()}); see
   * {@link #decode(byte[], Context)}.
   */
  public DecodedImage decode(byte[] data) {
    return decode(data, Context.current());
  }

  /**
   * Decodes {@code data} for {@code call} after {@link #checkHeader(byte[])} passes. The decode
   * waits for its share of the budget while the call is wanted and stops between rows once the
   * call is cancelled or its deadline passes. Pass the call's context captured on the gRPC
   * thread; {@link Context#ROOT} never ends.
   *
   * @throws ScreeningException as {@link #checkHeader(byte[])}; INVALID_ARGUMENT
   *     {@code IMAGE_MALFORMED} when the data is truncated or corrupt; CANCELLED or
   *     DEADLINE_EXCEEDED when the call ended before the decode did; RESOURCE_EXHAUSTED
   *     {@value DecodeBudget#SERVER_BUSY} when no budget came free before the deadline, or
   *     {@value #DECODE_MEMORY} when the heap ran out all the same; INTERNAL
   *     {@value #DECODE_INTERNAL} for any other failure inside the decoder
   */
  public DecodedImage decode(byte[] data, Context call) {
    if (call.isCancelled()) {
      throw ended(call);
    }
    ImageHeader header = checkHeader(data);
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(header.format().id());
    if (!readers.hasNext()) {
      throw ScreeningException.invalid(FORMAT_UNSUPPORTED, "no decoder for " + header.format().id());
    }
    ImageReader reader = readers.next();
    // Aborting stops the reader at its next row; the progress listener repeats the request
    // because readers clear a pending abort when a read starts.
    Context.CancellationListener abort = c -> reader.abort();
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
      reader.setInput(in, true, true);
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      reader.addIIOReadProgressListener(new AbortWhenEnded(call));
      // The reader's own view of the first frame (a GIF frame may be larger than its screen).
      ImageHeader frame = header.withSize(reader.getWidth(0), reader.getHeight(0));
      checkLimits(frame);
      try (DecodeBudget.Share share = budget.acquire(Math.max(header.decodeBytes(), frame.decodeBytes()), call)) {
        call.addListener(abort, Runnable::run);
        BufferedImage image = frames.read(reader, reader.getDefaultReadParam());
        if (call.isCancelled()) {
          throw ended(call);
        }
        if (!warnings.isEmpty()) {
          throw malformed(header.format(), "decoding reported: " + warnings.getFirst());
        }
        return toRaster(header.format(), image, call);
      }
    } catch (ScreeningException e) {
      throw e;
    } catch (Throwable t) {
      throw classify(header.format(), t, call);
    } finally {
      call.removeListener(abort);
      reader.dispose();
    }
  }

  private void checkLimits(ImageHeader h) {
    long width = h.width();
    long height = h.height();
    if (width > limits.maxSide() || height > limits.maxSide() || width * height > limits.maxPixels()) {
      throw ScreeningException.tooLarge(DIMENSIONS_TOO_LARGE, "the image declares " + width + "×"
          + height + " pixels; the limits are " + limits.maxSide() + " a side and "
          + limits.maxPixels() + " in all");
    }
    long need = h.decodeBytes();
    if (need > limits.maxDecodeBytes() || h.outputBytes() > MAX_ARRAY) {
      throw ScreeningException.tooLarge(DECODE_TOO_LARGE, "the " + h.format().id() + " image ("
          + width + "×" + height + ", " + h.bitsPerPixel() + " bits a pixel) needs " + need
          + " bytes to decode; the limit is " + limits.maxDecodeBytes());
    }
  }

  /**
   * Sorts a decoder failure into the caller's fault or ours. Readers wrap whatever they meet in
   * an IIOException (the PNG reader wraps even OutOfMemoryError), so the whole cause chain is
   * read: running out of heap or an error unrelated to the data must not tell the caller that
   * a valid image is corrupt.
   */
  private static ScreeningException classify(ImageFormat format, Throwable t, Context call) {
    if (call.isCancelled()) {
      // An aborted reader may fail in any way; the call's end is the cause.
      return ended(call);
    }
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof OutOfMemoryError) {
        LOG.warnf("decoding a %s image ran out of heap", format.id());
        return ScreeningException.tooLarge(DECODE_MEMORY,
            "the server ran out of memory decoding the image; retry later");
      }
    }
    // The innermost of a chain of IOExceptions says what went wrong.
    Throwable cause = t;
    while (cause instanceof IOException && cause.getCause() != null && cause.getCause() != cause) {
      if (String.valueOf(cause.getMessage()).contains("Unsupported Image Type")) {
        break;
      }
      cause = cause.getCause();
    }
    if (cause instanceof IOException) {
      if (String.valueOf(cause.getMessage()).contains("Unsupported Image Type")) {
        return ScreeningException.invalid(FORMAT_UNSUPPORTED,
            "the " + format.id() + " uses a colour model that is not supported");
      }
      return malformed(format, "the data is truncated or corrupt");
    }
    if (isFormatError(cause)) {
      return malformed(format, "the data is corrupt");
    }
    LOG.errorf(t, "internal error decoding a %s image", format.id());
    return new ScreeningException(Status.Code.INTERNAL, DECODE_INTERNAL,
        "the image could not be decoded because of an internal error");
  }

  /**
   * The unchecked exceptions that ImageIO's readers raise for corrupt data: indices out of
   * range in the LZW/RLE decoders, sizes that overflow or make no raster.
   */
  private static boolean isFormatError(Throwable t) {
    return t instanceof IndexOutOfBoundsException || t instanceof NegativeArraySizeException
        || t instanceof ArithmeticException || t instanceof RasterFormatException
        || t instanceof IllegalArgumentException;
  }

  private static ScreeningException ended(Context call) {
    Deadline deadline = call.getDeadline();
    if (deadline != null && deadline.isExpired()) {
      return new ScreeningException(Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED",
          "the caller's deadline passed before the image was decoded");
    }
    return new ScreeningException(Status.Code.CANCELLED, "CANCELLED",
        "the caller cancelled the call before the image was decoded");
  }

  private static ScreeningException malformed(ImageFormat format, String why) {
    return ScreeningException.invalid(ImageHeader.MALFORMED, "the " + format.id() + " image cannot be decoded: " + why);
  }

  private static DecodedImage toRaster(ImageFormat format, BufferedImage image, Context call) {
    int w = image.getWidth();
    int h = image.getHeight();
    int channels = image.getColorModel().hasAlpha() ? 4 : 3;
    byte[] px = new byte[Math.multiplyExact(Math.multiplyExact(w, h), channels)];
    if (isPlainSrgbBytes(image, channels)) {
      copySamples(image, px, channels, call);
      return new DecodedImage(format, w, h, channels, px);
    }
    if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
      copyGray(image, px, call);
      return new DecodedImage(format, w, h, channels, px);
    }
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      if (call.isCancelled()) {
        throw ended(call);
      }
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int argb = row[x];
        px[o++] = (byte) (argb >>> 16);
        px[o++] = (byte) (argb >>> 8);
        px[o++] = (byte) argb;
        if (channels == 4) {
          px[o++] = (byte) (argb >>> 24);
        }
      }
    }
    return new DecodedImage(format, w, h, channels, px);
  }

  /**
   * Whether {@code image} holds 8-bit, non-premultiplied sRGB samples interleaved in one byte
   * array: then {@link BufferedImage#getRGB} returns the samples unchanged and they can be copied
   * without a colour-model call per pixel (PNG, JPEG and 24-bit BMP decode to such rasters).
   */
  private static boolean isPlainSrgbBytes(BufferedImage image, int channels) {
    if (!(image.getColorModel() instanceof ComponentColorModel cm) || !cm.getColorSpace().isCS_sRGB()
        || cm.isAlphaPremultiplied() || cm.getNumComponents() != channels) {
      return false;
    }
    for (int bits : cm.getComponentSize()) {
      if (bits != 8) {
        return false;
      }
    }
    return image.getRaster().getSampleModel() instanceof ComponentSampleModel sm
        && sm.getNumBands() == channels
        && image.getRaster().getDataBuffer() instanceof DataBufferByte bytes && bytes.getNumBanks() == 1;
  }

  /**
   * Copies 8-bit gray samples to R, G and B unchanged. {@link BufferedImage#getRGB} would treat
   * them as linear gray and brighten them on the way to sRGB (128 becomes 186), while PNG and JPEG
   * gray samples are already display-encoded: a detector must see the values that were sent.
   */
  private static void copyGray(BufferedImage image, byte[] px, Context call) {
    WritableRaster raster = image.getRaster();
    int w = image.getWidth();
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      if (call.isCancelled()) {
        throw ended(call);
      }
      raster.getSamples(0, y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        byte v = (byte) row[x];
        px[o++] = v;
        px[o++] = v;
        px[o++] = v;
      }
    }
  }

  private static void copySamples(BufferedImage image, byte[] px, int channels, Context call) {
    WritableRaster raster = image.getRaster();
    ComponentSampleModel sm = (ComponentSampleModel) raster.getSampleModel();
    DataBufferByte buffer = (DataBufferByte) raster.getDataBuffer();
    byte[] src = buffer.getData();
    // Band i of a ComponentColorModel is colour-space component i: R, G, B, then alpha.
    int[] band = new int[channels];
    for (int c = 0; c < channels; c++) {
      band[c] = sm.getOffset(0, 0, c);
    }
    int pixelStride = sm.getPixelStride();
    int scanline = sm.getScanlineStride();
    int base = buffer.getOffset() - raster.getSampleModelTranslateY() * scanline
        - raster.getSampleModelTranslateX() * pixelStride;
    int w = image.getWidth();
    int o = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      if (call.isCancelled()) {
        throw ended(call);
      }
      int p = base + y * scanline;
      for (int x = 0; x < w; x++, p += pixelStride) {
        for (int c = 0; c < channels; c++) {
          px[o++] = src[p + band[c]];
        }
      }
    }
  }

  /** Asks the reader to stop at its next progress report once the call has ended. */
  private static final class AbortWhenEnded extends ReadProgress {
    private final Context call;

    AbortWhenEnded(Context call) {
      this.call = call;
    }

    @Override
    void progress(ImageReader source, float percentageDone) {
      if (call.isCancelled()) {
        source.abort();
      }
    }
  }
}
