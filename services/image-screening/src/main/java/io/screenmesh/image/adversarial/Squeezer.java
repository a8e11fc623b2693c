package io.screenmesh.image.adversarial;

import io.screenmesh.kernels.Nhwc;
import io.screenmesh.kernels.Squeeze;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One squeezer of the adversarial detector, applied to the classifier's uint8 input batch on the
 * compute backend: a bit-depth reduction or a median smoothing, each on its own (Xu et al. score
 * each squeezer separately and take the largest distance).
 *
 * @param kind what the squeezer does
 * @param parameter bits kept (1..7) for {@link Kind#BIT_DEPTH}, the window (2 or 3) for
 *     {@link Kind#MEDIAN}
 */
public record Squeezer(Kind kind, int parameter) {

  /** What a squeezer does. */
  public enum Kind {
    /** Keep {@code parameter} bits per sample. */
    BIT_DEPTH("bit-depth"),
    /** Median over a {@code parameter}×{@code parameter} window. */
    MEDIAN("median");

    private final String id;

    Kind(String id) {
      this.id = id;
    }
  }

  /**
   * Checks the parameter.
   *
   * @throws IllegalArgumentException when it is out of range for the kind
   */
  public Squeezer {
    if (kind == Kind.BIT_DEPTH && (parameter < 1 || parameter > 7)) {
      throw new IllegalArgumentException("bit-depth squeezer keeps 1..7 bits, got " + parameter);
    }
    if (kind == Kind.MEDIAN && parameter != 2 && parameter != 3) {
      throw new IllegalArgumentException("median squeezer window must be 2 or 3, got " + parameter);
    }
  }

  /**
   * Parses a comma-separated list such as {@code bit-depth:1,median:2}.
   *
   * @throws IllegalArgumentException when an entry is malformed or the list is empty
   */
  public static List<Squeezer> parseList(String spec) {
    List<Squeezer> out = new ArrayList<>();
    for (String part : spec.split(",")) {
      String p = part.trim().toLowerCase(Locale.ROOT);
      if (p.isEmpty()) {
        continue;
      }
      int colon = p.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("squeezer '" + p + "' needs a parameter, e.g. bit-depth:1 or median:2");
      }
      String name = p.substring(0, colon);
      int value;
      try {
        value = Integer.parseInt(p.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("squeezer '" + p + "': the parameter is not a whole number");
      }
      Kind kind = switch (name) {
        case "bit-depth" -> Kind.BIT_DEPTH;
        case "median" -> Kind.MEDIAN;
        default -> throw new IllegalArgumentException("unknown squeezer '" + name + "' (bit-depth or median)");
      };
      out.add(new Squeezer(kind, value));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no squeezer given: e.g. bit-depth:1,median:2");
    }
    return List.copyOf(out);
  }

  /** Formats {@code squeezers} as {@link #parseList} reads them. */
  public static String format(List<Squeezer> squeezers) {
    return String.join(",", squeezers.stream().map(Squeezer::toString).toList());
  }

  /**
   * Squeezes a uint8 NHWC batch into {@code out} on the backend of {@code squeeze}.
   *
   * @throws IllegalArgumentException when the arrays do not match {@code shape}
   */
  public void apply(Squeeze squeeze, byte[] in, byte[] out, Nhwc shape) {
    switch (kind) {
      case BIT_DEPTH -> squeeze.bitDepth(in, out, parameter);
      case MEDIAN -> squeeze.median(in, out, shape, parameter);
    }
  }

  @Override
  public String toString() {
    return kind.id + ":" + parameter;
  }
}
