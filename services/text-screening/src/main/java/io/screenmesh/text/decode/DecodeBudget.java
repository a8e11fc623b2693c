package io.screenmesh.text.decode;

/**
 * Bounds the decoding work for one screened text, across all nesting levels: how many
 * payloads may be decoded and how many characters may be analysed beyond the text itself in
 * total (decoded payloads, what their normalization adds, rot13 rescans of decoded content).
 * Not thread-safe; one per request.
 */
public final class DecodeBudget {

  private int payloadsLeft;
  private int charsLeft;

  /** A budget of {@code payloads} decoded payloads producing at most {@code chars} characters. */
  public DecodeBudget(int payloads, int chars) {
    this.payloadsLeft = payloads;
    this.charsLeft = chars;
  }

  /** Whether another payload of up to {@code chars} decoded characters fits; takes it if so. */
  public boolean take(int chars) {
    if (payloadsLeft <= 0 || chars > charsLeft) {
      return false;
    }
    payloadsLeft--;
    charsLeft -= chars;
    return true;
  }

  /**
   * Whether {@code chars} more characters of work on content already taken fit; charges them if
   * so. Takes no payload.
   */
  public boolean spend(int chars) {
    if (chars > charsLeft) {
      return false;
    }
    charsLeft -= chars;
    return true;
  }

  /** Whether anything is left. */
  public boolean exhausted() {
    return payloadsLeft <= 0 || charsLeft <= 0;
  }
}
