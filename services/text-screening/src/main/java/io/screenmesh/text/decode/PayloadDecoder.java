package io.screenmesh.text.decode;

import io.screenmesh.text.unicode.UnicodeNormalizer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds base64, hex and URL-encoded runs in a text and decodes those that turn out to be
 * readable text (valid UTF-8, at least 90% printable), so that they can be screened like the
 * text around them. Binary payloads, such as the base64 of an image in a {@code data:} URI,
 * are skipped without decoding. Base64 wrapped at a fixed width or split by spaces is joined
 * first, and a base64 run that does not read as text is tried once more after rot13 (rot13 keeps
 * every letter a base64 letter, so attackers chain the two). Work is bounded by a
 * {@link DecodeBudget}. Rot13 of plain text is not here:
 * it changes no character class, so it is tried by rescanning the whole text (see
 * {@link #rot13(String)}). Thread-safe.
 */
public final class PayloadDecoder {

  private static final Pattern HEX_ESCAPES = Pattern.compile("(?:\\\\x[0-9A-Fa-f]{2}){6,}+");
  private static final Pattern HEX_SPACED =
      Pattern.compile("(?<![0-9A-Fa-f])(?:0x)?[0-9A-Fa-f]{2}(?:[ ,:](?:0x)?[0-9A-Fa-f]{2}){7,}+(?![0-9A-Fa-f])");
  private static final Pattern URL_ENCODED =
      Pattern.compile("(?:[A-Za-z0-9._~!*'()+\\-]|%[0-9A-Fa-f]{2})*+");
  private static final Pattern DATA_URI_PREFIX =
      Pattern.compile("data:(?:image|audio|video|font|application)/[\\w.+-]{1,64}(?:;[\\w-]{1,32}=[\\w-]{1,64})*;base64,$");
  private static final int MIN_DECODED = 6;

  private final int minBase64Length;

  /** A decoder that considers base64 runs of at least {@code minBase64Length} characters. */
  public PayloadDecoder(int minBase64Length) {
    this.minBase64Length = Math.max(8, minBase64Length);
  }

  /** The readable payloads in {@code text}, within {@code budget}. */
  public List<EncodedPayload> find(String text, DecodeBudget budget) {
    List<EncodedPayload> out = new ArrayList<>();
    // Even with nothing left, the scanners run: the first possible payload they meet is recorded
    // as a shortfall (DecodeBudget.shortOf) instead of passing unseen.
    List<int[]> taken = new ArrayList<>();
    hexEscapes(text, budget, out, taken);
    hexSpaced(text, budget, out, taken);
    wrappedBase64(text, budget, out, taken);
    base64OrHex(text, budget, out, taken);
    urlEncoded(text, budget, out, taken);
    return out;
  }

  /** {@code text} with ASCII letters rotated by 13; every other character, and every offset, unchanged. */
  public static String rot13(String text) {
    char[] c = text.toCharArray();
    for (int i = 0; i < c.length; i++) {
      char x = c[i];
      if (x >= 'a' && x <= 'z') {
        c[i] = (char) ('a' + (x - 'a' + 13) % 26);
      } else if (x >= 'A' && x <= 'Z') {
        c[i] = (char) ('A' + (x - 'A' + 13) % 26);
      }
    }
    return new String(c);
  }

  // A plain loop over runs of base64 characters: a regex would try every position of every word.
  private void base64OrHex(String text, DecodeBudget budget, List<EncodedPayload> out, List<int[]> taken) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (!isBase64Char(text.charAt(i))) {
        i++;
        continue;
      }
      int s = i;
      while (i < n && isBase64Char(text.charAt(i))) {
        i++;
      }
      int e = i;
      int pad = 0;
      while (i < n && text.charAt(i) == '=' && pad < 2) {
        i++;
        pad++;
      }
      if (i < n && (isBase64Char(text.charAt(i)) || text.charAt(i) == '=')) {
        continue; // padding in the middle: not one token
      }
      e += pad;
      if (e - s - pad < minBase64Length || overlaps(taken, s, e)) {
        continue;
      }
      int prefixFrom = Math.max(0, s - 128);
      if (DATA_URI_PREFIX.matcher(text).region(prefixFrom, s).find()) {
        continue; // binary media inline: decoding it costs time and yields no text
      }
      if (outOfBudget(budget)) {
        return;
      }
      addToken(text.substring(s, e), s, e, budget, out, taken);
    }
  }

  // Hex, base64, or base64 put through rot13 (whose letters stay base64 letters): whichever reads as text.
  private static boolean addToken(String token, int s, int e, DecodeBudget budget, List<EncodedPayload> out,
      List<int[]> taken) {
    if (isHex(token)) {
      return addIfText("hex", s, e, HexFormat.of().parseHex(token), budget, out, taken);
    }
    return addIfText("base64", s, e, base64(token), budget, out, taken)
        || addIfText("rot13-base64", s, e, base64(rot13(token)), budget, out, taken);
  }

  /**
   * Base64 broken by whitespace: wrapped at a fixed width (every line but the last equally long,
   * as MIME and PEM wrap it) or split into chunks that each look encoded (digits, inner capitals,
   * {@code +} or {@code /}). The chunks are joined and decoded as one payload spanning them all.
   * A run of chunks is examined once, whether it decodes or not, so the scan stays linear.
   */
  private void wrappedBase64(String text, DecodeBudget budget, List<EncodedPayload> out, List<int[]> taken) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (!isBase64Char(text.charAt(i)) || (i > 0 && (isBase64Char(text.charAt(i - 1)) || text.charAt(i - 1) == '='))) {
        i++;
        continue;
      }
      int firstEnd = tokenEnd(text, i);
      if (firstEnd < 0) {
        i++;
        continue;
      }
      int width = firstEnd - i;
      boolean firstLooks = looksEncoded(text, i, firstEnd);
      StringBuilder joined = new StringBuilder().append(text, i, firstEnd);
      int chunks = 1;
      int end = firstEnd;
      while (text.charAt(end - 1) != '=') {
        int k = end;
        while (k < n && k - end < 2 && isSpace(text.charAt(k))) {
          k++;
        }
        if (k == end || k >= n || !isBase64Char(text.charAt(k))) {
          break;
        }
        int ke = tokenEnd(text, k);
        if (ke < 0) {
          break;
        }
        int len = ke - k;
        boolean fixedWidth = width >= 8 && len <= width;
        boolean looks = firstLooks && looksEncoded(text, k, ke);
        if (!fixedWidth && !looks) {
          break;
        }
        joined.append(text, k, ke);
        chunks++;
        end = ke;
        if (len < width && !looks) {
          break; // the short last line of a fixed-width wrap
        }
      }
      if (chunks >= 2 && joined.length() >= minBase64Length && !overlaps(taken, i, end)) {
        if (outOfBudget(budget)) {
          return;
        }
        addToken(joined.toString(), i, end, budget, out, taken);
      }
      i = end;
    }
  }

  // End of the base64 token at i (with up to two '=' of padding), or -1 when it runs into more '='.
  private static int tokenEnd(String text, int i) {
    int n = text.length();
    while (i < n && isBase64Char(text.charAt(i))) {
      i++;
    }
    int pad = 0;
    while (i < n && text.charAt(i) == '=' && pad < 2) {
      i++;
      pad++;
    }
    return i < n && (isBase64Char(text.charAt(i)) || text.charAt(i) == '=') ? -1 : i;
  }

  // Digits, '+', '/', or a capital after a lower-case letter: what encoded chunks have and words lack.
  private static boolean looksEncoded(String text, int s, int e) {
    for (int i = s; i < e; i++) {
      char c = text.charAt(i);
      if ((c >= '0' && c <= '9') || c == '+' || c == '/'
          || (i > s && c >= 'A' && c <= 'Z' && text.charAt(i - 1) >= 'a' && text.charAt(i - 1) <= 'z')) {
        return true;
      }
    }
    return false;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  private static void hexEscapes(String text, DecodeBudget budget, List<EncodedPayload> out, List<int[]> taken) {
    if (text.indexOf("\\x") < 0) {
      return;
    }
    Matcher m = HEX_ESCAPES.matcher(text);
    while (m.find() && !outOfBudget(budget)) {
      String hex = m.group().replace("\\x", "");
      addIfText("hex", m.start(), m.end(), HexFormat.of().parseHex(hex), budget, out, taken);
    }
  }

  private static void hexSpaced(String text, DecodeBudget budget, List<EncodedPayload> out, List<int[]> taken) {
    int first = firstSpacedHexPair(text);
    if (first < 0) {
      return;
    }
    Matcher m = HEX_SPACED.matcher(text).region(first, text.length()).useTransparentBounds(true);
    while (m.find() && !outOfBudget(budget)) {
      String hex = m.group().replaceAll("0x|[ ,:]", "");
      addIfText("hex", m.start(), m.end(), HexFormat.of().parseHex(hex), budget, out, taken);
    }
  }

  private static void urlEncoded(String text, DecodeBudget budget, List<EncodedPayload> out, List<int[]> taken) {
    if (text.indexOf('%') < 0) {
      return;
    }
    Matcher m = URL_ENCODED.matcher(text);
    int from = 0;
    while (from < text.length()) {
      int pct = text.indexOf('%', from);
      if (pct < 0) {
        break;
      }
      // Extend the run left and right from the first escape over URL-safe characters.
      int s = pct;
      while (s > 0 && isUrlChar(text.charAt(s - 1))) {
        s--;
      }
      m.region(s, text.length());
      if (!m.lookingAt() || m.end() <= pct) {
        from = pct + 1;
        continue;
      }
      int e = m.end();
      from = e;
      String token = text.substring(s, e);
      if (countEscapes(token) < 2 || overlaps(taken, s, e)) {
        continue;
      }
      if (outOfBudget(budget)) {
        return;
      }
      byte[] bytes = percentDecode(token);
      addIfText("url", s, e, bytes, budget, out, taken);
    }
  }

  // Called at a possible payload: with nothing left it is recorded as a shortfall and not decoded.
  private static boolean outOfBudget(DecodeBudget budget) {
    if (budget.exhausted()) {
      budget.shortOf();
      return true;
    }
    return false;
  }

  private static boolean addIfText(String encoding, int s, int e, byte[] bytes, DecodeBudget budget,
      List<EncodedPayload> out, List<int[]> taken) {
    if (bytes == null || bytes.length < MIN_DECODED) {
      return false;
    }
    String decoded = UnicodeNormalizer.strictUtf8(ByteBuffer.wrap(bytes));
    if (decoded == null || !UnicodeNormalizer.mostlyPrintable(decoded) || !budget.take(decoded.length())) {
      return false;
    }
    out.add(new EncodedPayload(encoding, s, e, decoded));
    taken.add(new int[] {s, e});
    return true;
  }

  private static byte[] base64(String token) {
    String t = token.replace('-', '+').replace('_', '/');
    int eq = t.indexOf('=');
    if (eq >= 0) {
      t = t.substring(0, eq);
    }
    if (t.length() % 4 == 1) {
      return null; // not a possible base64 length
    }
    try {
      return Base64.getDecoder().decode(t + "==".substring(0, (4 - t.length() % 4) % 4));
    } catch (IllegalArgumentException ex) {
      return null;
    }
  }

  private static byte[] percentDecode(String token) {
    byte[] buf = new byte[token.length()];
    int n = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '%' && i + 2 < token.length()) {
        buf[n++] = (byte) HexFormat.fromHexDigits(token, i + 1, i + 3);
        i += 2;
      } else if (c == '+') {
        buf[n++] = ' ';
      } else {
        buf[n++] = (byte) c;
      }
    }
    return Arrays.copyOf(buf, n);
  }

  private static int countEscapes(String token) {
    int n = 0;
    for (int i = 0; i < token.length(); i++) {
      if (token.charAt(i) == '%') {
        n++;
      }
    }
    return n;
  }

  private static boolean isUrlChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "._~!*'()+-".indexOf(c) >= 0;
  }

  // Where "hh hh" (two hex pairs with a separator) first occurs, or -1: the cheap test before the regex.
  private static int firstSpacedHexPair(String text) {
    for (int i = 0; i + 4 < text.length(); i++) {
      if (isHexDigit(text.charAt(i)) && isHexDigit(text.charAt(i + 1)) && isSeparator(text.charAt(i + 2))
          && isHexDigit(text.charAt(i + 3)) && isHexDigit(text.charAt(i + 4))) {
        return Math.max(0, i - 2); // room for a leading "0x"
      }
    }
    return -1;
  }

  private static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isSeparator(char c) {
    return c == ' ' || c == ',' || c == ':';
  }

  private static boolean isBase64Char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
        || c == '_' || c == '-';
  }

  private static boolean isHex(String token) {
    if (token.length() % 2 != 0) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      if (Character.digit(token.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean overlaps(List<int[]> taken, int s, int e) {
    for (int[] t : taken) {
      if (s < t[1] && t[0] < e) {
        return true;
      }
    }
    return false;
  }
}
