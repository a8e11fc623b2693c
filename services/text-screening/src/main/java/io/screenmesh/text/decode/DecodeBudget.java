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
  private boolean shortfall;
  private boolean reported;

  /** A budget of {@code payloads} decoded payloads producing at most {@code chars} characters. */
  public DecodeBudget(int payloads, int chars) {
    this.payloadsLeft = payloads;
    this.charsLeft = chars;
  }

  /** Whether another payload of up to {@code chars} decoded characters fits; takes it if so. */
  public boolean take(int chars) {
    if (payloadsLeft <= 0 || chars > charsLeft) {
      shortfall = true;
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
      shortfall = true;
      return false;
    }
    charsLeft -= chars;
    return true;
  }

  /** Records that content which may be encoded was met after the budget ran out, and left alone. */
  public void shortOf() {
    shortfall = true;
  }

  /** Records that a finding already names what the budget left unscreened. */
  public void reported() {
    reported = true;
  }

  /**
   * Whether anything was left unscreened for want of budget (a payload or work refused, or a
   * possible payload met once nothing was left) that no finding names yet. Padding a text with
   * decoys must not buy a pass for what comes after them, so the analyzer reports this rather
   * than staying silent.
   */
  public boolean unreportedShortfall() {
    return shortfall && !reported;
  }

  /** Whether anything is left. */
  public boolean exhausted() {
    return payloadsLeft <= 0 || charsLeft <= 0;
  }
}
