package io.screenmesh.text.decode;

/**
 * Bounds the decoding work for one screened text, across all nesting levels: how many
 * payloads may be decoded and how many characters they may produce in total. Not thread-safe;
 * one per request.
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

  /** Whether anything is left. */
  public boolean exhausted() {
    return payloadsLeft <= 0 || charsLeft <= 0;
  }
}
