package io.screenmesh.text.unicode;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacterDirection;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.lang.UScript;
import com.ibm.icu.text.Normalizer2;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.text.screen.Hit;
import io.screenmesh.text.screen.MappedText;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The unicode stage: removes characters that hide content from a human reader (format and
 * control characters, tag characters, stray variation selectors, bidi controls), decodes
 * what tag characters and variation-selector runs smuggle, applies NFKC and de-confuses
 * homoglyph words. Legitimate uses are kept and not reported: emoji variation sequences
 * ("❤️"), emoji ZWJ sequences, subdivision flags (tag characters after U+1F3F4), joiners in
 * scripts that need them (Arabic, Indic), CJK ideographic variation sequences.
 *
 * <p>Every output keeps a map to the analysed text (see {@link MappedText}); every hit's span
 * is in UTF-16 units of the analysed text. Thread-safe and stateless apart from the shared
 * {@link Confusables} cache.
 */
public final class UnicodeNormalizer {

  /** Detector id of tag-character smuggling. */
  public static final String TAGS = "text.unicode.tags";
  /** Detector id of variation selectors outside legitimate sequences. */
  public static final String VARIATION_SELECTORS = "text.unicode.variation-selectors";
  /** Detector id of bidi controls (Trojan Source). */
  public static final String BIDI = "text.unicode.bidi";
  /** Detector id of invisible format and control characters. */
  public static final String INVISIBLE = "text.unicode.invisible";
  /** Detector id of styled letters (fullwidth, mathematical, enclosed) folded by NFKC. */
  public static final String COMPATIBILITY = "text.unicode.compatibility";

  private static final Normalizer2 NFKC = Normalizer2.getNFKCInstance();
  private static final int MAX_HIDDEN_CHARS = 16_384;

  private final Confusables confusables;

  /** A stage that de-confuses with {@code confusables}. */
  public UnicodeNormalizer(Confusables confusables) {
    this.confusables = confusables;
  }

  /** Analyses {@code text}; never throws for any string. */
  public UnicodeResult analyze(String text) {
    List<Hit> hits = new ArrayList<>();
    List<HiddenText> hidden = new ArrayList<>();
    MappedText cleaned = plainAscii(text) ? MappedText.identity(text) : new Cleaner(text, hits, hidden).run();
    MappedText folded = nfkc(cleaned, hits);
    MappedText normalized = confusables.deconfuse(folded, hits);
    return new UnicodeResult(folded, normalized, List.copyOf(hits), List.copyOf(hidden));
  }

  private static boolean plainAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7F) {
        return false;
      }
    }
    return true;
  }

  private static MappedText nfkc(MappedText in, List<Hit> hits) {
    String s = in.text();
    if (NFKC.isNormalized(s)) {
      return in;
    }
    MappedText.Builder b = new MappedText.Builder(in.originalLength());
    int styled = 0;
    int styledFrom = -1;
    int styledTo = -1;
    int segStart = 0;
    int n = s.length();
    for (int i = 0; i <= n; ) {
      int cp = i < n ? s.codePointAt(i) : -1;
      if (i == n || (i > segStart && NFKC.hasBoundaryBefore(cp))) {
        if (i == segStart + 1 && s.charAt(segStart) < 0x80) {
          // one ASCII character on its own is its own NFKC form, and not a styled letter
          b.appendChar(s.charAt(segStart), in.originalStart(segStart), in.originalEnd(i));
          segStart = i;
          if (i == n) {
            break;
          }
          i += Character.charCount(cp);
          continue;
        }
        String seg = s.substring(segStart, i);
        String out = NFKC.normalize(seg);
        int from = in.originalStart(segStart);
        int to = in.originalEnd(i);
        b.append(out, from, to);
        if (!out.equals(seg) && isStyledLetter(seg, out)) {
          styled++;
          styledFrom = styledFrom < 0 ? from : styledFrom;
          styledTo = to;
        }
        segStart = i;
      }
      if (i == n) {
        break;
      }
      i += Character.charCount(cp);
    }
    if (styled >= 3) {
      hits.add(new Hit(COMPATIBILITY, Category.CATEGORY_UNICODE_CONFUSABLE, Severity.SEVERITY_LOW,
          0.3f, styledFrom, styledTo, "", "", styled
          + " styled letters (fullwidth, mathematical or enclosed forms) read as plain letters"));
    }
    return b.build();
  }

  private static boolean isStyledLetter(String seg, String out) {
    int cp = seg.codePointAt(0);
    if (cp < 0x80 || (cp >= 0xFB00 && cp <= 0xFB06)) {
      return false; // ligatures come from ordinary typesetting, not disguise
    }
    for (int k = 0; k < out.length(); k++) {
      char c = out.charAt(k);
      if (c >= 0x80 || !Character.isLetterOrDigit(c)) {
        return false;
      }
    }
    return true;
  }

  /** One pass over the original code points; not reusable. */
  private static final class Cleaner {
    private final String text;
    private final List<Hit> hits;
    private final List<HiddenText> hidden;
    private final MappedText.Builder out;
    private int prevKept = -1;

    // invisible characters
    private int invisible;
    private int invisibleFrom = -1;
    private int invisibleTo = -1;
    private int wordSplits;
    private boolean invisibleMildOnly = true;
    private final Map<Integer, Integer> invisibleKinds = new LinkedHashMap<>();

    // tag characters
    private final StringBuilder tagText = new StringBuilder();
    private int tagCount;
    private int tagFrom = -1;
    private int tagTo = -1;

    // variation selectors
    private int vsCount;
    private int vsFrom = -1;
    private int vsTo = -1;
    private boolean vsRun;
    private boolean vsText;

    // bidi
    private final Deque<int[]> bidiStack = new ArrayDeque<>();
    private int bidiControls;
    private int bidiMarks;
    private int bidiFrom = -1;
    private int bidiTo = -1;
    private boolean bidiOverride;
    private boolean bidiUnterminated;
    private boolean bidiReorders;

    Cleaner(String text, List<Hit> hits, List<HiddenText> hidden) {
      this.text = text;
      this.hits = hits;
      this.hidden = hidden;
      this.out = new MappedText.Builder(text.length());
    }

    MappedText run() {
      int n = text.length();
      int i = 0;
      while (i < n) {
        int cp = text.codePointAt(i);
        if (cp >= 0x20 && cp < 0x7F) {
          // printable ASCII is never hidden, a selector, a bidi control or a paragraph end
          out.appendChar((char) cp, i, i + 1);
          prevKept = cp;
          i++;
          continue;
        }
        int len = Character.charCount(cp);
        if (isTag(cp)) {
          i = tagRun(i);
        } else if (isVariationSelector(cp)) {
          i = variationSelectorRun(i);
        } else if (isBidiControl(cp)) {
          bidiControl(cp, i, len);
          i += len;
        } else {
          if (isParagraphSeparator(cp)) {
            endParagraph();
          }
          if (isInvisible(cp, i, len)) {
            recordInvisible(cp, i, len);
          } else {
            out.appendCodePoint(cp, i, i + len);
            prevKept = cp;
          }
          i += len;
        }
      }
      endParagraph();
      report();
      return out.build();
    }

    private int tagRun(int i) {
      int n = text.length();
      int j = i;
      StringBuilder decoded = new StringBuilder();
      int count = 0;
      int last = -1;
      boolean flagLetters = true;
      while (j < n) {
        int cp = text.codePointAt(j);
        if (!isTag(cp)) {
          break;
        }
        if (cp != 0xE007F) {
          flagLetters &= (cp >= 0xE0030 && cp <= 0xE0039) || (cp >= 0xE0061 && cp <= 0xE007A);
        }
        if (cp >= 0xE0020 && cp <= 0xE007E) {
          decoded.append((char) (cp - 0xE0000));
        }
        last = cp;
        count++;
        j += 2;
      }
      // Subdivision flags (England, Scotland, Wales) are U+1F3F4, 2-6 tag letters, CANCEL TAG.
      if (prevKept == 0x1F3F4 && last == 0xE007F && flagLetters && count >= 3 && count <= 7) {
        out.append(text.substring(i, j), i, j);
        prevKept = last;
        return j;
      }
      tagCount += count;
      tagFrom = tagFrom < 0 ? i : tagFrom;
      tagTo = j;
      if (tagText.length() < MAX_HIDDEN_CHARS) {
        tagText.append(decoded);
      }
      return j;
    }

    private int variationSelectorRun(int i) {
      int n = text.length();
      int j = i;
      int count = 0;
      ByteBuffer bytes = ByteBuffer.allocate(Math.min(n - i, MAX_HIDDEN_CHARS));
      int first = text.codePointAt(i);
      while (j < n) {
        int cp = text.codePointAt(j);
        if (!isVariationSelector(cp)) {
          break;
        }
        if (bytes.hasRemaining()) {
          bytes.put((byte) (cp <= 0xFE0F ? cp - 0xFE00 : cp - 0xE0100 + 16));
        }
        count++;
        j += Character.charCount(cp);
      }
      if (count == 1 && legitimateSelector(first)) {
        out.append(text.substring(i, j), i, j);
        return j;
      }
      vsCount += count;
      vsFrom = vsFrom < 0 ? i : vsFrom;
      vsTo = j;
      if (count >= 2) {
        vsRun = true;
        bytes.flip();
        String decoded = strictUtf8(bytes);
        if (decoded != null && mostlyPrintable(decoded)) {
          vsText = true;
          hidden.add(new HiddenText(decoded, i, j, "decoded:variation-selectors"));
        }
      }
      return j;
    }

    private boolean legitimateSelector(int vs) {
      if (prevKept < 0) {
        return false;
      }
      if (vs == 0xFE0E || vs == 0xFE0F) {
        return UCharacter.hasBinaryProperty(prevKept, UProperty.EMOJI)
            || UCharacter.hasBinaryProperty(prevKept, UProperty.EXTENDED_PICTOGRAPHIC);
      }
      if (vs >= 0xE0100) {
        return UScript.getScript(prevKept) == UScript.HAN;
      }
      // FE00-FE0D: standardized sequences of CJK compatibility ideographs, math symbols,
      // Myanmar, Phags-pa and others; never of ASCII or the Latin, Greek, Cyrillic letters.
      int sc = UScript.getScript(prevKept);
      return prevKept >= 0x80 && sc != UScript.LATIN && sc != UScript.GREEK && sc != UScript.CYRILLIC;
    }

    private void bidiControl(int cp, int i, int len) {
      bidiFrom = bidiFrom < 0 ? i : bidiFrom;
      bidiTo = i + len;
      switch (cp) {
        case 0x200E, 0x200F, 0x061C -> bidiMarks++;
        case 0x202A, 0x202B, 0x202D, 0x202E -> {
          bidiControls++;
          bidiOverride |= cp == 0x202D || cp == 0x202E;
          bidiStack.push(new int[] {cp, i + len});
        }
        case 0x2066, 0x2067, 0x2068 -> {
          bidiControls++;
          bidiStack.push(new int[] {cp, i + len});
        }
        case 0x202C -> {
          bidiControls++;
          if (!bidiStack.isEmpty() && !isIsolate(bidiStack.peek()[0])) {
            close(bidiStack.pop(), i);
          }
        }
        case 0x2069 -> {
          bidiControls++;
          boolean hasIsolate = bidiStack.stream().anyMatch(e -> isIsolate(e[0]));
          while (hasIsolate && !bidiStack.isEmpty()) {
            int[] e = bidiStack.pop();
            close(e, i);
            if (isIsolate(e[0])) {
              break;
            }
          }
        }
        default -> bidiControls++;
      }
    }

    // A balanced embedding or isolate reorders what is shown when it runs against its content:
    // right-to-left around two or more left-to-right words (or the reverse).
    private void close(int[] opened, int closeAt) {
      int cp = opened[0];
      boolean rtl = cp == 0x202B || cp == 0x2067;
      boolean ltr = cp == 0x202A || cp == 0x2066;
      if (!rtl && !ltr) {
        return;
      }
      int ltrRuns = 0;
      int rtlRuns = 0;
      int lastDir = -1;
      for (int k = opened[1]; k < closeAt; ) {
        int c = text.codePointAt(k);
        int d = UCharacter.getDirection(c);
        if (d == UCharacterDirection.LEFT_TO_RIGHT) {
          ltrRuns += lastDir == 0 ? 0 : 1;
          lastDir = 0;
        } else if (d == UCharacterDirection.RIGHT_TO_LEFT || d == UCharacterDirection.RIGHT_TO_LEFT_ARABIC) {
          rtlRuns += lastDir == 1 ? 0 : 1;
          lastDir = 1;
        } else if (d == UCharacterDirection.WHITE_SPACE_NEUTRAL || d == UCharacterDirection.OTHER_NEUTRAL) {
          lastDir = -1;
        }
        k += Character.charCount(c);
      }
      if ((rtl && rtlRuns == 0 && ltrRuns >= 2) || (ltr && ltrRuns == 0 && rtlRuns >= 2)) {
        bidiReorders = true;
      }
    }

    private void endParagraph() {
      if (!bidiStack.isEmpty()) {
        bidiUnterminated = true;
        bidiStack.clear();
      }
    }

    private boolean isInvisible(int cp, int i, int len) {
      int type = UCharacter.getType(cp);
      if (type == UCharacter.CONTROL) {
        return !(cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || cp == 0x85
            || (cp >= 0x1C && cp <= 0x1E));
      }
      boolean ignorable = UCharacter.hasBinaryProperty(cp, UProperty.DEFAULT_IGNORABLE_CODE_POINT);
      if (type != UCharacter.FORMAT && !ignorable) {
        return false;
      }
      if (UCharacter.hasBinaryProperty(cp, UProperty.PREPENDED_CONCATENATION_MARK)) {
        return false;
      }
      int next = i + len < text.length() ? text.codePointAt(i + len) : -1;
      if (cp == 0x200D) {
        return !(emojiContext(prevKept) && next >= 0
            && UCharacter.hasBinaryProperty(next, UProperty.EXTENDED_PICTOGRAPHIC))
            && !joinerScript(prevKept);
      }
      if (cp == 0x200C) {
        return !joinerScript(prevKept);
      }
      if (cp == 0x115F || cp == 0x1160) {
        return !(isJamo(prevKept) || isJamo(next));
      }
      int own = UScript.getScript(cp);
      if (own != UScript.COMMON && own != UScript.INHERITED && own != UScript.UNKNOWN) {
        // Script-specific format controls (Egyptian hieroglyph, Mongolian, Duployan...) are
        // legitimate next to their own script.
        return prevKept < 0 || UScript.getScript(prevKept) != own;
      }
      if (type == UCharacter.NON_SPACING_MARK) {
        return prevKept < 0x80; // combining grapheme joiner and the like after non-ASCII letters
      }
      return true;
    }

    private void recordInvisible(int cp, int i, int len) {
      invisible++;
      invisibleFrom = invisibleFrom < 0 ? i : invisibleFrom;
      invisibleTo = i + len;
      invisibleKinds.merge(cp, 1, Integer::sum);
      boolean mild = cp == 0x00AD || (cp == 0xFEFF && i == 0);
      invisibleMildOnly &= mild;
      int next = i + len < text.length() ? text.codePointAt(i + len) : -1;
      if (!mild && prevKept >= 0 && Character.isLetter(prevKept) && next >= 0 && Character.isLetter(next)) {
        wordSplits++;
      }
    }

    private void report() {
      if (tagCount > 0) {
        String decoded = tagText.toString();
        hits.add(new Hit(TAGS, Category.CATEGORY_UNICODE_INVISIBLE, Severity.SEVERITY_HIGH, 0.8f,
            tagFrom, tagTo, "", Hit.excerptOf(decoded), tagCount
            + " invisible tag characters" + (decoded.isBlank() ? "" : " spell hidden text")));
        if (!decoded.isBlank()) {
          hidden.add(new HiddenText(decoded, tagFrom, tagTo, "decoded:tags"));
        }
      }
      if (vsCount > 0) {
        Severity sev = vsText ? Severity.SEVERITY_HIGH : vsRun ? Severity.SEVERITY_MEDIUM : Severity.SEVERITY_LOW;
        float score = vsText ? 0.8f : vsRun ? 0.5f : 0.25f;
        hits.add(new Hit(VARIATION_SELECTORS, Category.CATEGORY_UNICODE_INVISIBLE, sev, score, vsFrom, vsTo,
            "", vsCount + " variation selectors", vsCount + " variation selectors outside emoji or ideographic"
            + " sequences" + (vsText ? " encode hidden text" : "")));
      }
      if (bidiControls + bidiMarks > 0) {
        boolean trojan = bidiOverride || bidiUnterminated || bidiReorders;
        Severity sev = trojan ? Severity.SEVERITY_HIGH : bidiControls > 0 ? Severity.SEVERITY_LOW : Severity.SEVERITY_INFO;
        float score = trojan ? 0.85f : bidiControls > 0 ? 0.3f : 0.05f;
        List<String> why = new ArrayList<>();
        if (bidiOverride) {
          why.add("an override reverses the displayed order");
        }
        if (bidiUnterminated) {
          why.add("an embedding or isolate is left open to the end of the line");
        }
        if (bidiReorders) {
          why.add("an isolate or embedding runs against its content's direction");
        }
        String msg = trojan
            ? "bidi controls make the displayed text differ from its logical order (Trojan Source): "
                + String.join("; ", why)
            : bidiControls > 0 ? bidiControls + " balanced bidi controls" : bidiMarks + " bidi marks";
        hits.add(new Hit(BIDI, Category.CATEGORY_UNICODE_BIDI, sev, score, bidiFrom, bidiTo, "",
            (bidiControls + bidiMarks) + " bidi characters", msg));
      }
      if (invisible > 0) {
        Severity sev = invisibleMildOnly ? Severity.SEVERITY_INFO
            : (invisible >= 8 || wordSplits >= 3) ? Severity.SEVERITY_MEDIUM : Severity.SEVERITY_LOW;
        float score = sev == Severity.SEVERITY_INFO ? 0.05f : sev == Severity.SEVERITY_MEDIUM ? 0.5f : 0.3f;
        String kinds = invisibleKinds.entrySet().stream().limit(5)
            .map(e -> String.format("U+%04X×%d", e.getKey(), e.getValue()))
            .collect(Collectors.joining(", "));
        hits.add(new Hit(INVISIBLE, Category.CATEGORY_UNICODE_INVISIBLE, sev, score, invisibleFrom, invisibleTo,
            "", kinds, invisible + " invisible characters" + (wordSplits > 0 ? ", " + wordSplits
            + " of them inside words" : "")));
      }
    }

    private static boolean isIsolate(int cp) {
      return cp >= 0x2066 && cp <= 0x2068;
    }

    private static boolean emojiContext(int cp) {
      return cp >= 0 && (UCharacter.hasBinaryProperty(cp, UProperty.EXTENDED_PICTOGRAPHIC)
          || UCharacter.hasBinaryProperty(cp, UProperty.EMOJI_MODIFIER)
          || UCharacter.hasBinaryProperty(cp, UProperty.EMOJI_COMPONENT) || cp == 0xFE0F);
    }

    private static boolean joinerScript(int cp) {
      if (cp < 0x80) {
        return false;
      }
      int sc = UScript.getScript(cp);
      return sc != UScript.COMMON && sc != UScript.INHERITED && sc != UScript.LATIN && sc != UScript.GREEK
          && sc != UScript.CYRILLIC && sc != UScript.UNKNOWN;
    }

    private static boolean isJamo(int cp) {
      return cp >= 0x1100 && cp <= 0x11FF;
    }
  }

  static boolean isTag(int cp) {
    return cp >= 0xE0000 && cp <= 0xE007F;
  }

  static boolean isVariationSelector(int cp) {
    return (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF);
  }

  static boolean isBidiControl(int cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)
        || cp == 0x200E || cp == 0x200F || cp == 0x061C;
  }

  private static boolean isParagraphSeparator(int cp) {
    return cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2029 || (cp >= 0x1C && cp <= 0x1E);
  }

  /** {@code bytes} as UTF-8, or null when they are not valid UTF-8. */
  public static String strictUtf8(ByteBuffer bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** Whether {@code s} is readable text rather than binary: at least 90% printable. */
  public static boolean mostlyPrintable(String s) {
    if (s.isEmpty()) {
      return false;
    }
    int printable = 0;
    int total = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int t = UCharacter.getType(cp);
      total++;
      if (cp == '\n' || cp == '\r' || cp == '\t'
          || (t != UCharacter.CONTROL && t != UCharacter.UNASSIGNED && t != UCharacter.PRIVATE_USE
          && t != UCharacter.SURROGATE && cp != 0xFFFD)) {
        printable++;
      }
      i += Character.charCount(cp);
    }
    return printable * 10 >= total * 9;
  }
}
