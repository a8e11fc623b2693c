package io.screenmesh.text.secrets;

import static io.screenmesh.common.v1.Category.CATEGORY_PII;
import static io.screenmesh.common.v1.Category.CATEGORY_SECRET;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.text.rules.InjectionRules;
import io.screenmesh.text.rules.MatchStarts;
import io.screenmesh.text.screen.Hit;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds credentials (API keys and tokens by their published formats, JWTs, PEM private keys,
 * credential assignments) and personal data (card numbers that pass Luhn, IBANs that pass
 * ISO 7064 mod 97-10, e-mail addresses, phone numbers) in normalized text. Checksums keep
 * random digit runs from firing; phone matching is deliberately conservative. Every hit's
 * detector id ends in the redaction label's name ({@link #redactionLabel(String)}).
 * Thread-safe.
 */
public final class SecretDetector {

  // anchors: literals one of which every match contains (in the text as written, or lower-cased
  // when lowerAnchors), so that a format runs only on texts that can hold it. A lowerAnchors
  // pattern is written in lower case and runs on the ASCII-lower-cased text: the same matches
  // as ASCII case-insensitive matching on the text, at the same offsets, found several times
  // faster and with its leading words known to starts.
  private record Format(String detector, Category category, Severity severity, float score, Pattern pattern,
      int group, String what, List<String> anchors, boolean lowerAnchors, MatchStarts starts) {

    boolean mayMatch(String text, String lower) {
      String subject = lowerAnchors ? lower : text;
      for (String a : anchors) {
        if (subject.indexOf(a) >= 0) {
          return true;
        }
      }
      return false;
    }
  }

  private static final List<Format> SECRETS = List.of(
      secret("text.secret.private-key", Severity.SEVERITY_HIGH, 0.8f, List.of("PRIVATE KEY-----"),
          "-----BEGIN (?:[A-Z0-9]{1,16} ){0,2}PRIVATE KEY-----(?:[\\s\\S]{0,16384}?-----END (?:[A-Z0-9]{1,16} )"
              + "{0,2}PRIVATE KEY-----|[A-Za-z0-9+/=\\s:,-]{0,16384})", 0, "a PEM private key"),
      secret("text.secret.aws-access-key", Severity.SEVERITY_HIGH, 0.75f, List.of("AKIA", "ASIA", "ABIA", "ACCA"),
          "\\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\\b", 0, "an AWS access key id"),
      secretLower("text.secret.aws-secret-key", Severity.SEVERITY_HIGH, 0.75f, List.of("aws"),
          "(?:aws_?secret_?access_?key|aws_?secret)\\s*[:=]\\s*[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])", 1,
          "an AWS secret access key"),
      secret("text.secret.github-token", Severity.SEVERITY_HIGH, 0.75f, List.of("ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"),
          "\\b(?:gh[opsur]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\\b", 0, "a GitHub token"),
      secret("text.secret.slack-token", Severity.SEVERITY_HIGH, 0.75f, List.of("xox"),
          "\\bxox[abposr]-[A-Za-z0-9-]{10,250}\\b", 0, "a Slack token"),
      secret("text.secret.stripe-key", Severity.SEVERITY_HIGH, 0.75f, List.of("_live_"),
          "\\b(?:sk|rk)_live_[A-Za-z0-9]{16,247}\\b", 0, "a Stripe live secret key"),
      secret("text.secret.google-api-key", Severity.SEVERITY_HIGH, 0.75f, List.of("AIza"),
          "\\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", 0, "a Google API key"),
      secret("text.secret.openai-key", Severity.SEVERITY_HIGH, 0.75f, List.of("sk-"),
          "\\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,200}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"
              + "|[A-Za-z0-9]{40,64})(?![A-Za-z0-9_-])", 0, "an OpenAI API key"),
      secret("text.secret.jwt", Severity.SEVERITY_HIGH, 0.7f, List.of("eyJ"),
          "\\beyJ[A-Za-z0-9_-]{8,4096}\\.eyJ[A-Za-z0-9_-]{8,8192}\\.[A-Za-z0-9_-]{8,4096}", 0, "a JSON web token"),
      secretLower("text.secret.credential", Severity.SEVERITY_LOW, 0.4f,
          List.of("pass", "pwd", "secret", "key", "token"),
          "\\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret)"
              + "\\s*[:=]\\s*[\"']?([^\\s\"']{8,256})", 1, "a credential assigned in the text"));

  private static final Pattern EMAIL = Pattern.compile(
      "(?<![\\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1,8}"
          + "[A-Za-z]{2,24}(?![\\w-])");
  private static final Pattern CARD = Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d-])");
  private static final Pattern IBAN = Pattern.compile("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}\\b");
  private static final Pattern PHONE = Pattern.compile(
      "(?<![\\w+])\\+[1-9]\\d{0,2}(?:[ .-]?\\(?\\d{1,4}\\)?){2,5}(?![\\w])"
          + "|(?<![\\w+(])(?:\\(\\d{3}\\)\\s?|\\d{3}[.-])\\d{3}[.-]\\d{4}(?![\\w])");

  // ISO 13616 registry: country code → IBAN length.
  private static final Map<String, Integer> IBAN_LENGTHS = Map.ofEntries(
      Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
      Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BR", 29),
      Map.entry("BY", 28), Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28), Map.entry("CZ", 24),
      Map.entry("DE", 22), Map.entry("DK", 18), Map.entry("DO", 28), Map.entry("EE", 20), Map.entry("EG", 29),
      Map.entry("ES", 24), Map.entry("FI", 18), Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22),
      Map.entry("GE", 22), Map.entry("GI", 23), Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28),
      Map.entry("HR", 21), Map.entry("HU", 28), Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IQ", 23),
      Map.entry("IS", 26), Map.entry("IT", 27), Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20),
      Map.entry("LB", 28), Map.entry("LC", 32), Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20),
      Map.entry("LV", 21), Map.entry("MC", 27), Map.entry("MD", 24), Map.entry("ME", 22), Map.entry("MK", 19),
      Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30), Map.entry("NL", 18), Map.entry("NO", 15),
      Map.entry("PK", 24), Map.entry("PL", 28), Map.entry("PS", 29), Map.entry("PT", 25), Map.entry("QA", 29),
      Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("SA", 24), Map.entry("SC", 31), Map.entry("SE", 24),
      Map.entry("SI", 19), Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("TL", 23), Map.entry("TN", 24),
      Map.entry("TR", 26), Map.entry("UA", 29), Map.entry("VA", 22), Map.entry("VG", 24), Map.entry("XK", 20));

  private static final BigInteger NINETY_SEVEN = BigInteger.valueOf(97);

  /** Scans {@code text}; spans are UTF-16 offsets into {@code text}. */
  public List<Hit> scan(String text) {
    List<Hit> hits = new ArrayList<>();
    // The lower-case patterns and their anchors are ASCII, so ASCII lower-casing suffices (and a
    // full toLowerCase of a non-Latin-1 text cost more than the whole scan).
    String lower = InjectionRules.asciiLower(text);
    for (Format f : SECRETS) {
      if (!f.mayMatch(text, lower)) {
        continue;
      }
      MatchStarts.Finder finder = f.starts().finder(f.pattern(), f.lowerAnchors() ? lower : text);
      Matcher m = finder.matcher();
      while (finder.find()) {
        int s = m.start(f.group());
        int e = m.end(f.group());
        hits.add(new Hit(f.detector(), f.category(), f.severity(), f.score(), s, e, "",
            mask(text.substring(s, e)), "the text contains " + f.what()));
      }
    }
    int digits = 0;
    for (int i = 0; i < text.length() && digits < 8; i++) {
      char c = text.charAt(i);
      digits += c >= '0' && c <= '9' ? 1 : 0;
    }
    if (digits >= 8) {
      // every card, IBAN and phone number has at least 8 digits
      cards(text, hits);
      ibans(text, hits);
      phones(text, hits);
    }
    emails(text, hits);
    return hits;
  }

  /** The redaction label for a detector id: {@code text.pii.card} → {@code [REDACTED:CARD]}. */
  public static String redactionLabel(String detector) {
    String kind = detector.substring(detector.lastIndexOf('.') + 1);
    return "[REDACTED:" + kind.toUpperCase(Locale.ROOT).replace('-', '_') + "]";
  }

  /** Whether {@code digits} (ASCII digits only) pass the Luhn check. */
  public static boolean luhn(CharSequence digits) {
    int sum = 0;
    boolean dbl = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (dbl) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      dbl = !dbl;
    }
    return sum % 10 == 0;
  }

  /** Whether {@code iban} (no spaces) has a registered length and passes ISO 7064 mod 97-10. */
  public static boolean validIban(String iban) {
    if (iban.length() < 15 || iban.length() > 34) {
      return false;
    }
    Integer len = IBAN_LENGTHS.get(iban.substring(0, 2));
    if (len == null || len != iban.length()) {
      return false;
    }
    String moved = iban.substring(4) + iban.substring(0, 4);
    StringBuilder num = new StringBuilder(moved.length() * 2);
    for (int i = 0; i < moved.length(); i++) {
      char c = moved.charAt(i);
      if (c >= '0' && c <= '9') {
        num.append(c);
      } else if (c >= 'A' && c <= 'Z') {
        num.append(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return new BigInteger(num.toString()).mod(NINETY_SEVEN).intValue() == 1;
  }

  private static void cards(String text, List<Hit> hits) {
    Matcher m = CARD.matcher(text);
    while (m.find()) {
      String raw = m.group();
      String digits = raw.replaceAll("[ -]", "");
      if (digits.length() < 13 || digits.length() > 19 || "23456".indexOf(digits.charAt(0)) < 0
          || !consistentSeparators(raw) || allSame(digits) || !luhn(digits)) {
        continue;
      }
      hits.add(new Hit("text.pii.card", CATEGORY_PII, Severity.SEVERITY_MEDIUM, 0.6f, m.start(), m.end(), "",
          "card ending " + digits.substring(digits.length() - 4), "the text contains a payment card number (Luhn valid)"));
    }
  }

  private static void ibans(String text, List<Hit> hits) {
    Matcher m = IBAN.matcher(text);
    while (m.find()) {
      Integer len = IBAN_LENGTHS.get(m.group().substring(0, 2));
      if (len == null) {
        continue;
      }
      // Take exactly the country's length, so that a following upper-case word is not swallowed.
      StringBuilder compact = new StringBuilder(len);
      int end = m.start();
      for (int i = m.start(); i < m.end() && compact.length() < len; i++) {
        char c = text.charAt(i);
        if (c != ' ') {
          compact.append(c);
        }
        end = i + 1;
      }
      if (compact.length() == len && validIban(compact.toString())) {
        hits.add(new Hit("text.pii.iban", CATEGORY_PII, Severity.SEVERITY_MEDIUM, 0.55f, m.start(), end, "",
            compact.substring(0, 2) + "…" + compact.substring(len - 4), "the text contains an IBAN (checksum valid)"));
      }
    }
  }

  private static void emails(String text, List<Hit> hits) {
    if (text.indexOf('@') < 0) {
      return;
    }
    Matcher m = EMAIL.matcher(text);
    while (m.find()) {
      String e = m.group();
      hits.add(new Hit("text.pii.email", CATEGORY_PII, Severity.SEVERITY_LOW, 0.3f, m.start(), m.end(), "",
          e.charAt(0) + "…@" + e.substring(e.indexOf('@') + 1), "the text contains an e-mail address"));
    }
  }

  private static void phones(String text, List<Hit> hits) {
    Matcher m = PHONE.matcher(text);
    while (m.find()) {
      int digits = 0;
      for (int i = m.start(); i < m.end(); i++) {
        digits += Character.isDigit(text.charAt(i)) ? 1 : 0;
      }
      if (digits < 8 || digits > 15 || overlapsAny(hits, m.start(), m.end())) {
        continue;
      }
      String p = m.group();
      hits.add(new Hit("text.pii.phone", CATEGORY_PII, Severity.SEVERITY_LOW, 0.25f, m.start(), m.end(), "",
          "phone ending " + p.substring(Math.max(0, p.length() - 2)), "the text contains a phone number"));
    }
  }

  private static boolean overlapsAny(List<Hit> hits, int s, int e) {
    for (Hit h : hits) {
      if (s < h.end() && h.start() < e) {
        return true;
      }
    }
    return false;
  }

  private static boolean consistentSeparators(String raw) {
    char sep = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == ' ' || c == '-') {
        if (sep != 0 && sep != c) {
          return false;
        }
        sep = c;
      }
    }
    return true;
  }

  private static boolean allSame(String digits) {
    for (int i = 1; i < digits.length(); i++) {
      if (digits.charAt(i) != digits.charAt(0)) {
        return false;
      }
    }
    return true;
  }

  // Shows the kind of secret and nothing that helps to use it: the first 4 characters only.
  private static String mask(String secret) {
    String head = secret.length() > 8 ? secret.substring(0, 4) : "";
    return head + "…(" + secret.length() + " chars)";
  }

  private static Format secret(String detector, Severity severity, float score, List<String> anchors,
      String regex, int group, String what) {
    Pattern p = Pattern.compile(regex);
    return new Format(detector, CATEGORY_SECRET, severity, score, p, group, what, anchors, false, MatchStarts.of(p));
  }

  private static Format secretLower(String detector, Severity severity, float score, List<String> anchors,
      String regex, int group, String what) {
    Pattern p = Pattern.compile(regex);
    return new Format(detector, CATEGORY_SECRET, severity, score, p, group, what, anchors, true, MatchStarts.of(p));
  }
}
