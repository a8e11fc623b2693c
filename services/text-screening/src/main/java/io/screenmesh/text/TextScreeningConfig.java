package io.screenmesh.text;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits and thresholds of the text-screening service, under {@code screenmesh.text}. */
@ConfigMapping(prefix = "screenmesh.text")
public interface TextScreeningConfig {

  /** Longest text accepted, in UTF-16 code units; longer texts fail with TEXT_TOO_LARGE. */
  @WithDefault("65536")
  int maxTextLength();

  /** Longest request id accepted, in UTF-16 code units. */
  @WithDefault("256")
  int maxIdLength();

  /**
   * Longest sanitized or normalized text returned, in UTF-16 code units; NFKC can grow a text
   * 18-fold, and a longer result is left out with {@code sanitized_omitted} set.
   */
  @WithDefault("131072")
  int maxOutputChars();

  /** Most texts in one {@code ScreenTexts} call (texts derived from one image or clip). */
  @WithDefault("64")
  int maxDerivedTexts();

  /** Decode-and-rescan of encoded payloads. */
  Decode decode();

  /**
   * The batcher's keys, {@code screenmesh.text.batch.*}, as written; declared so that the
   * mapping accepts them, read by {@link io.screenmesh.services.common.engine.EngineSettings}.
   */
  java.util.Map<String, String> batch();

  /**
   * Each detector's keys, {@code screenmesh.text.detectors.<name>.*}, as written; read by
   * {@link io.screenmesh.services.common.engine.EngineSettings}.
   */
  java.util.Map<String, java.util.Map<String, String>> detectors();

  /** Verdict thresholds. */
  Verdict verdict();

  /** Sentence embeddings, computed once per batch before the detectors run. */
  Embeddings embeddings();

  /** The known-attack search, {@code text.known_attack}. */
  KnownAttacks knownAttacks();

  /** The embedding stage (all-MiniLM-L6-v2 on ONNX Runtime). */
  interface Embeddings {
    /** Whether texts are embedded; when off, the detectors that need embeddings say they are unavailable. */
    @WithDefault("true")
    boolean enabled();

    /** ONNX Runtime's threads per model run (the batcher already runs one batch per core). */
    @WithDefault("1")
    int threads();

    /** Most 256-token windows embedded per text; a longer text keeps its head and tail windows. */
    @WithDefault("32")
    int maxWindows();
  }

  /** Known-attack exemplars and how near a text must come to one. */
  interface KnownAttacks {
    /** Whether the project's own exemplars are included. */
    @WithDefault("true")
    boolean bundled();

    /** The operator's JSONL exemplar files (rows with a label other than 1 are skipped). */
    java.util.Optional<java.util.List<String>> files();

    /** How often the files are checked for changes and reloaded; 0s turns watching off. */
    @WithDefault("30s")
    java.time.Duration reloadInterval();

    /**
     * Cosine similarity from which a text window is a finding. The default is the 99.5th
     * percentile of the bundled set's best match over benign rows of the shared train.jsonl
     * (every 4th; bench/RESULTS.md, "Embeddings and known-attack search").
     */
    @WithDefault("0.56")
    double threshold();

    /** How many nearest exemplars a finding names. */
    @WithDefault("3")
    int topK();
  }
  /** The learned heads ({@code text.head}). */
  Heads heads();

  /** Decode-and-rescan bounds. */
  interface Decode {
    /**
     * Nesting depth of decoding (base64 in hex in URL encoding is 3); attackers nest four deep
     * and more, and the payload and character budgets bound the work whatever the depth.
     */
    @WithDefault("6")
    int maxDepth();

    /** Most payloads decoded per text, over all depths. */
    @WithDefault("32")
    int maxPayloads();

    /** Most decoded characters per text, over all depths. */
    @WithDefault("65536")
    int maxChars();

    /** Shortest run of base64 characters that is decoded. */
    @WithDefault("16")
    int minBase64Length();
  }

  /** How findings become a decision. */
  interface Verdict {
    /** Fused score from which a text is flagged. */
    @WithDefault("0.5")
    double flagThreshold();

    /** Fused score from which a text is blocked. */
    @WithDefault("0.85")
    double blockThreshold();

    /** Whether one CRITICAL finding blocks whatever the fused score. */
    @WithDefault("true")
    boolean blockOnCritical();
  }

  /** The learned heads, {@code screenmesh.text.heads.*}. */
  interface Heads {
    /**
     * A folder holding {@code heads.json} written by {@code ./screenmesh train}; unset: the heads
     * bundled with text-screening. Heads fitted on another embedding model are refused at start-up.
     */
    java.util.Optional<String> dir();
  }
}
