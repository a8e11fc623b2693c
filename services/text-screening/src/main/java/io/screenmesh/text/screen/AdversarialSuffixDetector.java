package io.screenmesh.text.screen;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.services.common.engine.Availability;
import io.screenmesh.text.suffix.CharNgramModel;
import io.screenmesh.text.suffix.GibberishScanner;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * {@code text.adversarial-suffix}: token soup of the kind that optimization attacks (GCG and its
 * kin) append to a harmful request, found as text that a character n-gram model of benign text
 * finds improbable ({@link GibberishScanner}). A run of such windows that ends the text, after
 * ordinary text, and reads as neither code nor a table is HIGH: the shape of a suffix appended to
 * a request. Improbable runs elsewhere are reported as INFO (score 0.1): context, not a finding
 * that moves a verdict alone. The model
 * ships in the jar ({@value #MODEL}, trained by {@code scripts/train-suffix-model.sh}); without
 * it the detector reports itself unavailable. Words outside ASCII are not scored: the model
 * knows English-like text only.
 */
@Singleton
public class AdversarialSuffixDetector implements TextDetector {

  /** The detector id. */
  public static final String ID = "text.adversarial-suffix";
  /** Where the model is read from, on the class path. */
  public static final String MODEL = "/io/screenmesh/text/suffix/char5-benign.model.gz";

  private final GibberishScanner scanner;
  private final Availability availability;

  /** A detector over the model shipped in the jar (read once per process). */
  public AdversarialSuffixDetector() {
    this.scanner = Shipped.SCANNER;
    this.availability = Shipped.AVAILABILITY;
  }

  // Read on first use, once: every detector built without a model shares it.
  private static final class Shipped {
    static final AdversarialSuffixDetector INSTANCE = load(MODEL);
    static final GibberishScanner SCANNER = INSTANCE.scanner;
    static final Availability AVAILABILITY = INSTANCE.availability;
  }

  private AdversarialSuffixDetector(GibberishScanner scanner, Availability availability) {
    this.scanner = scanner;
    this.availability = availability;
  }

  /** A detector over the model at class-path {@code resource}; unavailable, with the reason, when it cannot be read. */
  static AdversarialSuffixDetector load(String resource) {
    try (InputStream in = AdversarialSuffixDetector.class.getResourceAsStream(resource)) {
      if (in == null) {
        return new AdversarialSuffixDetector(null, Availability.unavailable("gibberish model " + resource
            + " is not on the class path; run scripts/train-suffix-model.sh and rebuild"));
      }
      return new AdversarialSuffixDetector(new GibberishScanner(CharNgramModel.read(in)), Availability.AVAILABLE);
    } catch (IOException e) {
      return new AdversarialSuffixDetector(null,
          Availability.unavailable("gibberish model " + resource + " cannot be read: " + e.getMessage()));
    }
  }

  /** A detector over {@code model} (for tests and tools). */
  public AdversarialSuffixDetector(CharNgramModel model) {
    this.scanner = new GibberishScanner(model);
    this.availability = Availability.AVAILABLE;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Availability availability() {
    return availability;
  }

  @Override
  public List<Hit> hits(PreparedText t) {
    if (scanner == null) {
      throw new IllegalStateException(availability.reason());
    }
    MappedText norm = t.unicode().normalized();
    String n = norm.text();
    List<Hit> out = new ArrayList<>();
    for (GibberishScanner.Span s : scanner.scan(n)) {
      // Judge the shape over the windows that found it too: the span is cut to where the soup starts.
      int from = Math.max(0, s.start() - GibberishScanner.WINDOW);
      boolean suffix = s.trailing() && !GibberishScanner.structured(n, from, s.end());
      if (s.trailing() && !suffix) {
        continue; // code or a table at the end of a question: improbable, and ordinary
      }
      String bits = String.format(java.util.Locale.ROOT, "%.1f", s.bitsPerChar());
      out.add(new Hit(ID, Category.CATEGORY_ADVERSARIAL_TEXT,
          suffix ? Severity.SEVERITY_HIGH : Severity.SEVERITY_INFO, suffix ? 0.85f : 0.1f,
          norm.originalStart(s.start()), norm.originalEnd(s.end()), "", Hit.excerptOf(n.substring(s.start(), s.end())),
          suffix
              ? "the text ends in token soup (" + bits + " bits a character to a model of benign text): the shape"
                  + " of an optimized adversarial suffix appended to a request"
              : "improbable text (" + bits + " bits a character to a model of benign text)"));
    }
    return out;
  }
}
