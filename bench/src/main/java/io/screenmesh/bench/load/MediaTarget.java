package io.screenmesh.bench.load;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.screenmesh.audio.v1.AudioScreeningServiceGrpc;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import io.screenmesh.audio.v1.ScreenAudioStreamRequest;
import io.screenmesh.audio.v1.ScreenAudioStreamResponse;
import io.screenmesh.common.v1.ItemError;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.common.v1.Verdict;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.image.v1.ScreenImageStreamRequest;
import io.screenmesh.image.v1.ScreenImageStreamResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * image-screening or audio-screening called directly: {@code ScreenImage} / {@code ScreenAudio}
 * per call and {@code ScreenImageStream} / {@code ScreenAudioStream} per batch. The "prompts"
 * {@link Drivers} hands out are payload names, each standing for a file's bytes loaded once, so
 * the drivers' closed, open and batch loops run unchanged over media.
 *
 * <p>Besides the decision it records what each answer says of its processing — the compute
 * backend, the batch the service screened it in — and its size, so a run shows which backend it
 * measured and how much the service batched.
 */
final class MediaTarget implements Target {

  /** The modality service driven. */
  enum Kind {
    IMAGE, AUDIO;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Kind kind;
  private final Channel channel;
  private final Map<String, ByteString> payloads;
  private final boolean omitSanitized;
  private final Seen seen = new Seen();

  /**
   * @param payloads the bytes to send, by the name the drivers pass as a prompt
   * @param omitSanitized ask the service not to send back the sanitized copy
   */
  MediaTarget(Kind kind, Channel channel, Map<String, ByteString> payloads, boolean omitSanitized) {
    this.kind = kind;
    this.channel = channel;
    this.payloads = Map.copyOf(payloads);
    this.omitSanitized = omitSanitized;
  }

  /** What the answers so far said of their processing (warm-up included). */
  Seen seen() {
    return seen;
  }

  @Override
  public String name() {
    return kind.label();
  }

  @Override
  public void call(String id, String payload, long deadlineMillis, UnaryListener listener) {
    ByteString data = data(payload);
    switch (kind) {
      case IMAGE -> ImageScreeningServiceGrpc.newStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
          .screenImage(image(id, data), new Replies<>(listener, null, null, this::read));
      case AUDIO -> AudioScreeningServiceGrpc.newStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
          .screenAudio(audio(id, data), new Replies<>(listener, null, null, this::read));
    }
  }

  @Override
  public void batch(String batchId, List<String> names, long deadlineMillis, BatchListener listener) {
    switch (kind) {
      case IMAGE -> sendAll(ImageScreeningServiceGrpc.newStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
              .screenImageStream(new Replies<>(null, listener, ScreenImageStreamResponse::getId, r -> r.hasResponse()
                  ? read(r.getResponse()) : refused(r.getError()))),
          batchId, names, (id, data) -> ScreenImageStreamRequest.newBuilder().setRequest(image(id, data)).build());
      case AUDIO -> sendAll(AudioScreeningServiceGrpc.newStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
              .screenAudioStream(new Replies<>(null, listener, ScreenAudioStreamResponse::getId, r -> r.hasResponse()
                  ? read(r.getResponse()) : refused(r.getError()))),
          batchId, names, (id, data) -> ScreenAudioStreamRequest.newBuilder().setRequest(audio(id, data)).build());
    }
  }

  /** One request per name, ids "batchId/index", then the half-close. */
  private <Q> void sendAll(StreamObserver<Q> out, String batchId, List<String> names, BiFunction<String, ByteString, Q> request) {
    for (int i = 0; i < names.size(); i++) {
      out.onNext(request.apply(batchId + "/" + i, data(names.get(i))));
    }
    out.onCompleted();
  }

  private ByteString data(String name) {
    ByteString data = payloads.get(name);
    if (data == null) {
      throw new IllegalArgumentException("no payload named '" + name + "'");
    }
    return data;
  }

  private ScreenImageRequest image(String id, ByteString data) {
    return ScreenImageRequest.newBuilder().setId(id).setData(data).setOmitSanitized(omitSanitized).build();
  }

  private ScreenAudioRequest audio(String id, ByteString data) {
    return ScreenAudioRequest.newBuilder().setId(id).setData(data).setOmitSanitized(omitSanitized).build();
  }

  private Outcome read(ScreenImageResponse r) {
    return counted(r.getVerdict(), r.getProcessing(), r.getSerializedSize());
  }

  private Outcome read(ScreenAudioResponse r) {
    return counted(r.getVerdict(), r.getProcessing(), r.getSerializedSize());
  }

  private Outcome counted(Verdict verdict, ProcessingInfo processing, int bytes) {
    seen.record(processing, bytes);
    return Outcome.ok(verdict.getDecision());
  }

  private static Outcome refused(ItemError error) {
    return Outcome.failed(Status.fromCodeValue(error.getCode()).withDescription(error.getReason() + ": " + error.getMessage()));
  }

  /** Turns one answer into an outcome (recording what it says on the way). */
  private interface Reader<R> {
    Outcome read(R response);
  }

  /**
   * The answers of one call: a unary call's single response (to {@code unary}), or a stream's
   * items back to their batch positions by the "batchId/index" ids sent (to {@code batch}).
   */
  private static final class Replies<R> implements StreamObserver<R> {
    private final UnaryListener unary;
    private final BatchListener batch;
    private final Function<R, String> idOf;
    private final Reader<R> reader;
    private Outcome last = Outcome.failed(Status.INTERNAL.withDescription("completed without a response"));

    Replies(UnaryListener unary, BatchListener batch, Function<R, String> idOf, Reader<R> reader) {
      this.unary = unary;
      this.batch = batch;
      this.idOf = idOf;
      this.reader = reader;
    }

    @Override
    public void onNext(R r) {
      Outcome o = reader.read(r);
      if (batch == null) {
        last = o;
      } else {
        batch.answer(position(idOf.apply(r)), o);
      }
    }

    @Override
    public void onError(Throwable t) {
      Status s = Status.fromThrowable(t);
      if (batch == null) {
        unary.done(Outcome.failed(s));
      } else {
        batch.end(s);
      }
    }

    @Override
    public void onCompleted() {
      if (batch == null) {
        unary.done(last);
      } else {
        batch.end(Status.OK);
      }
    }
  }

  /** The index after the last '/', or -1 when the id carries none (the drivers then count the item as missing). */
  static int position(String id) {
    try {
      return Integer.parseInt(id.substring(id.lastIndexOf('/') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Counts of what answers said about their processing, from many gRPC threads at once: the
   * backend each was screened on, the size of the batch it was screened in, the service's time
   * per stage, its size in bytes.
   */
  static final class Seen {
    private final Map<String, LongAdder> backends = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> batchSizes = new ConcurrentHashMap<>();
    private final LongAdder answers = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAccumulator largest = new LongAccumulator(Math::max, 0);
    private final Map<String, LongAdder> stageMicros = new ConcurrentHashMap<>();

    void record(ProcessingInfo processing, int size) {
      backends.computeIfAbsent(processing.getBackend().name().replace("BACKEND_", ""), b -> new LongAdder()).increment();
      batchSizes.computeIfAbsent(processing.getBatchSize(), b -> new LongAdder()).increment();
      answers.increment();
      bytes.add(size);
      largest.accumulate(size);
      processing.getTimingsList().forEach(t ->
          stageMicros.computeIfAbsent(t.getStage(), k -> new LongAdder()).add(t.getMicros()));
    }

    /**
     * The service's mean time per answer in each stage it reported, in milliseconds. A stage
     * the service times per batch (the squeeze) is counted once per answer of the batch.
     */
    Map<String, Double> stageMillis() {
      long n = Math.max(1, answers.sum());
      Map<String, Double> m = new TreeMap<>();
      stageMicros.forEach((k, us) -> m.put(k, Math.round(us.sum() / 1000.0 / n * 100) / 100.0));
      return m;
    }

    /** Answers by backend name ({@code NATIVE}, {@code JAVA}, ...). */
    Map<String, Long> backends() {
      Map<String, Long> m = new TreeMap<>();
      backends.forEach((k, n) -> m.put(k, n.sum()));
      return m;
    }

    /** Answers by the size of the batch they were screened in. */
    Map<Integer, Long> batchSizes() {
      Map<Integer, Long> m = new TreeMap<>();
      batchSizes.forEach((k, n) -> m.put(k, n.sum()));
      return m;
    }

    /** One line for the report. */
    String summary() {
      long n = answers.sum();
      double meanBatch = batchSizes().entrySet().stream().mapToDouble(e -> (double) e.getKey() * e.getValue()).sum()
          / Math.max(1, n);
      return String.format(Locale.ROOT,
          "answers (warm-up included): %d; backend %s; batch size mean %.2f %s; response %.1f KiB mean, %.1f KiB max;"
              + " service ms per answer by stage %s",
          n, backends(), meanBatch, batchSizes(), bytes.sum() / 1024.0 / Math.max(1, n), largest.get() / 1024.0,
          stageMillis());
    }
  }
}
