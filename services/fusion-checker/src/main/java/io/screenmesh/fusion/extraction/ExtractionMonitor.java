package io.screenmesh.fusion.extraction;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Model-extraction detection after PRADA (Juuti et al., 2019), per principal, over the
 * sentence embeddings of the text a caller sends.
 *
 * <p>For each principal it keeps a growing set of earlier queries and the distance from each new
 * query to its nearest one there. A query farther than a threshold joins the set, and the
 * threshold rises to the mean minus one standard deviation of the distances of the queries that
 * joined. Ordinary use spreads the distances close to normally; an
 * extraction sweep (many small systematic steps around a few seed queries, with jumps between
 * seeds) makes them peaky and multi-modal, which the Shapiro–Wilk statistic W shows. Once a
 * principal has sent {@code minQueries} queries, W below {@code wThreshold} flags it.
 *
 * <p>A query identical to a stored one (after 8-bit quantization) is not counted: repeating a
 * prompt gains an extractor nothing and is common in ordinary use.
 *
 * <p>Memory is bounded: at most {@code maxPrincipals} principals (the least recently seen is
 * forgotten), {@code maxGrowingSet} queries per principal stored as 8-bit quantized unit
 * vectors (the oldest replaced first) and the last {@code window} distances.
 *
 * <p>State is per process: with several front-door replicas a principal's queries are split
 * between them, and each replica judges its share.
 */
public final class ExtractionMonitor {

  /**
   * Settings.
   *
   * @param maxPrincipals principals tracked at once
   * @param maxGrowingSet stored queries per principal
   * @param window distances kept per principal and tested
   * @param minQueries distances needed before a principal can be flagged
   * @param wThreshold W below which a principal is flagged
   */
  public record Settings(int maxPrincipals, int maxGrowingSet, int window, int minQueries, double wThreshold) {

    /**
     * Defaults: 1,000 principals, 128 stored queries and 500 distances each, judged from 100
     * queries on, flagged at W < 0.5. On synthetic vectors a sweep of small steps around a few
     * seeds gives W near 0.2 and ordinary streams stay above 0.65; on real prompts embedded by
     * MiniLM, text sweeps (attribute, number and wording ladders) keep W at 0.68-0.97, inside the
     * range of ordinary callers (0.61-0.95), so no W threshold separates them there and this
     * default flags neither (bench/RESULTS.md, "Model extraction: the PRADA monitor on real text").
     */
    public static final Settings DEFAULT = new Settings(1000, 128, 500, 100, 0.5);

    /** Checks the ranges. */
    public Settings {
      if (maxPrincipals < 1 || maxGrowingSet < 1 || window < 12 || window > ShapiroWilk.MAX_N
          || minQueries < 12 || minQueries > window || !(wThreshold > 0 && wThreshold < 1)) {
        throw new IllegalArgumentException("extraction settings out of range: " + this);
      }
    }
  }

  /**
   * What one query showed.
   *
   * @param flagged whether the principal's queries look like an extraction sweep
   * @param w the latest W, NaN until {@code minQueries} distances are in
   * @param distances the distances tested so far (at most {@code window})
   */
  public record Observation(boolean flagged, double w, int distances) {}

  private final Settings settings;
  private final Map<String, History> principals;

  /** Creates a monitor. */
  public ExtractionMonitor(Settings settings) {
    this.settings = settings;
    this.principals = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, History> eldest) {
        return size() > settings.maxPrincipals();
      }
    };
  }

  /**
   * Records a query of {@code principal} and judges its history.
   *
   * @param principal who sent it
   * @param embedding the query's L2-normalized embedding; every query of a monitor has the same
   *     dimension
   */
  public Observation observe(String principal, float[] embedding) {
    History h;
    synchronized (principals) {
      h = principals.computeIfAbsent(principal, p -> new History(settings, embedding.length));
    }
    return h.observe(embedding);
  }

  /** How many principals are tracked now. */
  public int principals() {
    synchronized (principals) {
      return principals.size();
    }
  }

  /** One principal's growing set and distances. */
  private static final class History {
    private final Settings settings;
    private final int dim;
    private final byte[][] growing;
    private int growingCount;
    private int growingNext;
    private final double[] distances;
    private int distanceCount;
    private int distanceNext;
    private long joined;
    private double joinedSum;
    private double joinedSumSq;
    private double threshold;

    History(Settings settings, int dim) {
      this.settings = settings;
      this.dim = dim;
      this.growing = new byte[settings.maxGrowingSet()][];
      this.distances = new double[settings.window()];
    }

    synchronized Observation observe(float[] embedding) {
      if (embedding.length != dim) {
        throw new IllegalArgumentException("embedding of dimension " + embedding.length + ", expected " + dim);
      }
      byte[] q = quantize(embedding);
      if (growingCount == 0) {
        add(q);
        return new Observation(false, Double.NaN, 0);
      }
      double d = nearest(q);
      if (d == 0) {
        // The same query again (a retry, a cached prompt) tells an extractor nothing new, and
        // ordinary callers repeat themselves: it is neither a step of a sweep nor counted.
        return new Observation(false, Double.NaN, distanceCount);
      }
      pushDistance(d);
      if (d > threshold) {
        add(q);
        joined++;
        joinedSum += d;
        joinedSumSq += d * d;
        double mean = joinedSum / joined;
        threshold = Math.max(threshold, mean - Math.sqrt(Math.max(0, joinedSumSq / joined - mean * mean)));
      }
      if (distanceCount < settings.minQueries()) {
        return new Observation(false, Double.NaN, distanceCount);
      }
      double[] window = new double[distanceCount];
      System.arraycopy(distances, 0, window, 0, distanceCount);
      double w;
      try {
        w = ShapiroWilk.test(window).w();
      } catch (IllegalArgumentException noSpread) {
        // Every distance equal: the most regular sweep there is.
        w = 0;
      }
      return new Observation(w < settings.wThreshold(), w, distanceCount);
    }

    private void pushDistance(double d) {
      if (distanceCount < distances.length) {
        distanceCount++;
      }
      distances[distanceNext] = d;
      distanceNext = (distanceNext + 1) % distances.length;
    }

    private void add(byte[] q) {
      growing[growingNext] = q;
      growingNext = (growingNext + 1) % growing.length;
      growingCount = Math.min(growingCount + 1, growing.length);
    }

    /** The Euclidean distance to the nearest stored query, on the quantized unit vectors. */
    private double nearest(byte[] q) {
      long best = Long.MAX_VALUE;
      for (int i = 0; i < growingCount; i++) {
        byte[] g = growing[i];
        long s = 0;
        for (int k = 0; k < dim; k++) {
          int diff = q[k] - g[k];
          s += (long) diff * diff;
        }
        best = Math.min(best, s);
      }
      return Math.sqrt(best) / 127.0;
    }

    private static byte[] quantize(float[] v) {
      byte[] q = new byte[v.length];
      for (int i = 0; i < v.length; i++) {
        q[i] = (byte) Math.round(Math.max(-1f, Math.min(1f, v[i])) * 127f);
      }
      return q;
    }
  }
}
