package io.screenmesh.image.codes;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.MultiFormatReader;
import com.google.zxing.PlanarYUVLuminanceSource;
import com.google.zxing.ReaderException;
import com.google.zxing.Result;
import com.google.zxing.ResultPoint;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.multi.GenericMultipleBarcodeReader;
import com.google.zxing.multi.MultipleBarcodeReader;
import com.google.zxing.multi.qrcode.QRCodeMultiReader;
import com.google.zxing.qrcode.detector.FinderPattern;
import io.screenmesh.image.ocr.GrayImage;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds and decodes the QR codes and common barcodes in an image with ZXing: every QR code
 * (several per image), then the other 2D and 1D formats, each with the region it occupies.
 * Light-on-dark codes are read too. Stateless and thread-safe (a reader is made per call, as
 * ZXing's readers keep state).
 */
public final class CodeReader {

  /**
   * A decoded code.
   *
   * @param text the payload
   * @param format ZXing's name of the symbology, such as {@code QR_CODE}
   * @param x left edge of the code's points
   * @param y top edge
   * @param width width (at least 1)
   * @param height height (at least 1)
   */
  public record Code(String text, String format, int x, int y, int width, int height) {}

  private static final EnumSet<BarcodeFormat> OTHER_FORMATS = EnumSet.of(BarcodeFormat.DATA_MATRIX,
      BarcodeFormat.AZTEC, BarcodeFormat.PDF_417, BarcodeFormat.CODE_128, BarcodeFormat.CODE_39,
      BarcodeFormat.CODE_93, BarcodeFormat.EAN_13, BarcodeFormat.EAN_8, BarcodeFormat.UPC_A, BarcodeFormat.UPC_E,
      BarcodeFormat.ITF, BarcodeFormat.CODABAR);

  private final int maxCodes;

  /** Creates a reader that returns at most {@code maxCodes} codes per image. */
  public CodeReader(int maxCodes) {
    this.maxCodes = maxCodes;
  }

  /** The codes in {@code gray}, QR codes first, without duplicates. */
  public List<Code> read(GrayImage gray) {
    LuminanceSource source = new PlanarYUVLuminanceSource(gray.pixels(), gray.width(), gray.height(), 0, 0,
        gray.width(), gray.height(), false);
    Map<String, Code> found = new LinkedHashMap<>();
    Map<DecodeHintType, Object> qrHints = new EnumMap<>(DecodeHintType.class);
    qrHints.put(DecodeHintType.ALSO_INVERTED, Boolean.TRUE);
    qrHints.put(DecodeHintType.TRY_HARDER, Boolean.TRUE);
    add(found, decode(new QRCodeMultiReader(), source, qrHints), gray);
    Map<DecodeHintType, Object> hints = new EnumMap<>(DecodeHintType.class);
    hints.put(DecodeHintType.POSSIBLE_FORMATS, OTHER_FORMATS);
    hints.put(DecodeHintType.ALSO_INVERTED, Boolean.TRUE);
    MultiFormatReader other = new MultiFormatReader();
    other.setHints(hints);
    add(found, decode(new GenericMultipleBarcodeReader(other), source, hints), gray);
    return List.copyOf(found.values());
  }

  private static Result[] decode(MultipleBarcodeReader reader, LuminanceSource s, Map<DecodeHintType, ?> hints) {
    try {
      return reader.decodeMultiple(new BinaryBitmap(new HybridBinarizer(s)), hints);
    } catch (ReaderException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      // No code, or a damaged one that ZXing's readers give up on: nothing to screen.
      return new Result[0];
    }
  }

  private void add(Map<String, Code> found, Result[] results, GrayImage gray) {
    for (Result r : results) {
      if (found.size() >= maxCodes) {
        return;
      }
      String text = r.getText();
      if (text == null || text.isEmpty()) {
        continue;
      }
      found.putIfAbsent(r.getBarcodeFormat() + "\u0000" + text, code(r, gray));
    }
  }

  private static Code code(Result r, GrayImage gray) {
    float x0 = Float.MAX_VALUE;
    float y0 = Float.MAX_VALUE;
    float x1 = -1;
    float y1 = -1;
    float module = 0;
    ResultPoint[] points = r.getResultPoints() == null ? new ResultPoint[0] : r.getResultPoints();
    for (ResultPoint p : points) {
      if (p == null) {
        continue;
      }
      x0 = Math.min(x0, p.getX());
      y0 = Math.min(y0, p.getY());
      x1 = Math.max(x1, p.getX());
      y1 = Math.max(y1, p.getY());
      if (p instanceof FinderPattern f) {
        module = Math.max(module, f.getEstimatedModuleSize());
      }
    }
    if (x1 < 0) {
      return new Code(r.getText(), r.getBarcodeFormat().name(), 0, 0, gray.width(), gray.height());
    }
    // A QR code's points are its finder patterns' centres, 3.5 modules in from its edges.
    float edge = 3.5f * module;
    x0 -= edge;
    y0 -= edge;
    x1 += edge;
    y1 += edge;
    int left = Math.clamp((long) Math.floor(x0), 0, gray.width() - 1);
    int top = Math.clamp((long) Math.floor(y0), 0, gray.height() - 1);
    int right = Math.clamp((long) Math.ceil(x1) + 1, left + 1, gray.width());
    int bottom = Math.clamp((long) Math.ceil(y1) + 1, top + 1, gray.height());
    return new Code(r.getText(), r.getBarcodeFormat().name(), left, top, right - left, bottom - top);
  }
}
