package io.screenmesh.image.adversarial;

import io.screenmesh.kernels.Nhwc;
import io.screenmesh.kernels.Squeeze;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One squeezer of the adversarial detector, applied to the classifier's uint8 input batch on the
 * compute backend: a bit-depth reduction, a median smoothing, or a chain of them applied in turn
 * ({@code bit-depth:1+median:2}, the same chain the engine applies for the sanitized image). Xu
 * et al. score each squeezer separately and take the largest distance.
 *
 * @param steps the steps, applied in order, at least one
 */
public record Squeezer(List<Step> steps) {

  /** What a step does. */
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
   * One step of a squeezer.
   *
   * @param kind what it does
   * @param parameter bits kept (1..7) for {@link Kind#BIT_DEPTH}, the window (2 or 3) for
   *     {@link Kind#MEDIAN}
   */
  public record Step(Kind kind, int parameter) {

    /**
     * Checks the parameter.
     *
     * @throws IllegalArgumentException when it is out of range for the kind
     */
    public Step {
      if (kind == Kind.BIT_DEPTH && (parameter < 1 || parameter > 7)) {
        throw new IllegalArgumentException("bit-depth squeezer keeps 1..7 bits, got " + parameter);
      }
      if (kind == Kind.MEDIAN && parameter != 2 && parameter != 3) {
        throw new IllegalArgumentException("median squeezer window must be 2 or 3, got " + parameter);
      }
    }

    @Override
    public String toString() {
      return kind.id + ":" + parameter;
    }
  }

  /** Copies the steps; there must be one at least. */
  public Squeezer {
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a squeezer needs a step");
    }
    steps = List.copyOf(steps);
  }

  /**
   * Parses a comma-separated list of squeezers, each one step or steps joined by {@code +}:
   * {@code bit-depth:1,median:2} (two squeezers) or {@code bit-depth:1+median:2} (one chain).
   *
   * @throws IllegalArgumentException when an entry is malformed or the list is empty
   */
  public static List<Squeezer> parseList(String spec) {
    List<Squeezer> out = new ArrayList<>();
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      List<Step> steps = new ArrayList<>();
      for (String step : part.split("\\+")) {
        steps.add(parseStep(step.trim().toLowerCase(Locale.ROOT)));
      }
      out.add(new Squeezer(steps));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no squeezer given: e.g. bit-depth:1,median:2");
    }
    return List.copyOf(out);
  }

  private static Step parseStep(String p) {
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
    return new Step(kind, value);
  }

  /** Formats {@code squeezers} as {@link #parseList} reads them. */
  public static String format(List<Squeezer> squeezers) {
    return String.join(",", squeezers.stream().map(Squeezer::toString).toList());
  }

  /**
   * Squeezes a uint8 NHWC batch into {@code out} on the backend of {@code squeeze}, step by step.
   *
   * @throws IllegalArgumentException when the arrays do not match {@code shape}
   */
  public void apply(Squeeze squeeze, byte[] in, byte[] out, Nhwc shape) {
    byte[] from = in;
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      // The median needs distinct arrays; a later step reads the previous one's output.
      byte[] to = i == steps.size() - 1 ? out : new byte[in.length];
      if (s.kind() == Kind.MEDIAN && to == from) {
        to = new byte[in.length];
      }
      switch (s.kind()) {
        case BIT_DEPTH -> squeeze.bitDepth(from, to, s.parameter());
        case MEDIAN -> squeeze.median(from, to, shape, s.parameter());
      }
      from = to;
    }
    if (from != out) {
      System.arraycopy(from, 0, out, 0, out.length);
    }
  }

  @Override
  public String toString() {
    return String.join("+", steps.stream().map(Step::toString).toList());
  }
}
