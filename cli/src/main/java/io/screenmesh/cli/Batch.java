package io.screenmesh.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.ItemError;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dataset-scale screening: streams a JSONL manifest, or one shard of it, through the front
 * door's {@code ScreenItemStream} and writes one JSON line per item to a results file.
 *
 * <p>Manifest lines carry {@code id}, optional {@code text}, and optional {@code image} and
 * {@code audio} (a path, relative to the manifest's folder, or an array of them). Shard
 * {@code i} of {@code n} takes the items whose ordinal (counting non-blank lines from 0) is
 * {@code i} modulo {@code n}, so the shards of an Indexed Job partition the manifest.
 *
 * <p>Every item of the shard gets exactly one result line: {@code decision}, {@code score},
 * {@code categories} and {@code policy}, or an {@code error} with the gRPC code, status name
 * and reason. Items that cannot be sent (bad JSON, unreadable file, too large, duplicate id)
 * are answered locally. When the stream breaks, it is reopened and the unanswered items are
 * sent again; items still unanswered after the last attempt are written with the reason
 * {@value #STREAM_FAILED}. Running again with the same results file resumes: lines already
 * there are kept, except those stream failures, which are retried.
 */
final class Batch {

  /** Reason of the error line for an item the front door never answered. */
  static final String STREAM_FAILED = "BATCH_STREAM_FAILED";

  /** The front door's default inbound message limit; a larger item would end the whole stream. */
  static final int DEFAULT_MAX_ITEM_BYTES = 32 * 1024 * 1024 - 64 * 1024;

  private Batch() {}

  /** What one run does. */
  record Options(Path in, Path out, int shard, int shards, int concurrency, String policy, int maxAttempts,
      long idleTimeoutMs, int maxItemBytes) {

    Options {
      if (shards < 1) {
        throw new IllegalArgumentException("--shards must be at least 1, got " + shards);
      }
      if (shard < 0 || shard >= shards) {
        throw new IllegalArgumentException("--shard must be in [0, " + shards + "), got " + shard);
      }
      if (concurrency < 1) {
        throw new IllegalArgumentException("--concurrency must be at least 1, got " + concurrency);
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("--attempts must be at least 1, got " + maxAttempts);
      }
    }
  }

  /** Counts of one run: items of the shard, answered now, kept from an earlier run, error lines, never answered. */
  record Summary(long items, long answered, long resumed, long errors, long unanswered) {}

  /**
   * The {@code batch} command: reads its flags, connects to the front door and runs.
   *
   * @return 0 when every item of the shard was answered by the front door or locally, 1 when
   *     some ended as {@value #STREAM_FAILED}
   * @throws IllegalArgumentException on bad usage
   * @throws IOException when the manifest or results file cannot be read or written
   */
  static int run(Args a, Map<String, String> env, PrintStream out) throws IOException {
    String in = a.get("in", null);
    String outFile = a.get("out", null);
    if (in == null || outFile == null) {
      throw new IllegalArgumentException("batch needs --in FILE and --out FILE");
    }
    Options o = new Options(Path.of(in), Path.of(outFile),
        intFlag(a, "shard", System.getenv().getOrDefault("JOB_COMPLETION_INDEX", "0")),
        intFlag(a, "shards", "1"), intFlag(a, "concurrency", "32"), a.get("policy", ""),
        intFlag(a, "attempts", "5"), 1000L * intFlag(a, "idle-timeout-seconds", "300"),
        intFlag(a, "max-item-bytes", Integer.toString(DEFAULT_MAX_ITEM_BYTES)));
    String addr = a.get("addr", env.get("FRONT_DOOR"));
    if (addr == null) {
      throw new IllegalArgumentException("no front door address: pass --addr host:port");
    }
    String token = a.get("token", env.get("TOKEN"));
    String tokenFile = a.get("token-file", null);
    if (tokenFile != null) {
      token = Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).strip();
    }
    try (MeshConnection conn = MeshConnection.open(addr, a.get("ca", env.get("CA")), a.get("cert", env.get("CLIENT_CERT")),
        a.get("key", env.get("CLIENT_KEY")), token)) {
      Summary s = screen(FusionCheckerServiceGrpc.newStub(conn.channel()), o, out);
      out.printf("shard %d/%d: %d items, %d answered, %d kept from an earlier run, %d errors, %d unanswered -> %s%n",
          o.shard(), o.shards(), s.items(), s.answered(), s.resumed(), s.errors(), s.unanswered(), o.out());
      return s.unanswered() == 0 ? 0 : 1;
    }
  }

  private static int intFlag(Args a, String name, String dflt) {
    String v = a.get(name, dflt);
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
    }
  }

  /**
   * Runs shard {@code o.shard()} of the manifest through {@code stub}, appending to
   * {@code o.out()}.
   *
   * @throws IOException when the manifest or the results file cannot be read or written
   */
  static Summary screen(FusionCheckerServiceGrpc.FusionCheckerServiceStub stub, Options o, PrintStream log)
      throws IOException {
    Set<String> done = resume(o.out());
    long resumed = done.size();
    if (o.out().toAbsolutePath().getParent() != null) {
      Files.createDirectories(o.out().toAbsolutePath().getParent());
    }
    try (BufferedWriter w = Files.newBufferedWriter(o.out(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
        Run run = new Run(stub, o, w, log)) {
      Path base = o.in().toAbsolutePath().getParent();
      Set<String> seen = new HashSet<>(done);
      long items = 0;
      try (BufferedReader r = Files.newBufferedReader(o.in(), StandardCharsets.UTF_8)) {
        String line;
        long lineNo = 0;
        long ordinal = -1;
        while ((line = r.readLine()) != null) {
          lineNo++;
          if (line.isBlank()) {
            continue;
          }
          ordinal++;
          if (ordinal % o.shards() != o.shard()) {
            continue;
          }
          items++;
          run.offer(lineNo, line, base, seen, done);
        }
      }
      run.finish();
      return new Summary(items, run.answered.get(), resumed, run.errors.get(), run.unanswered.get());
    }
  }

  /**
   * Reads the results of an earlier run: keeps complete lines that the front door or this
   * client answered for good, drops a line cut short by a killed process and the
   * {@value #STREAM_FAILED} lines (so those items are sent again), and rewrites the file
   * when it dropped something.
   *
   * @return the ids already answered
   */
  static Set<String> resume(Path out) throws IOException {
    Set<String> done = new HashSet<>();
    if (!Files.exists(out)) {
      return done;
    }
    String all = Files.readString(out, StandardCharsets.UTF_8);
    List<String> keep = new ArrayList<>();
    boolean dropped = !all.isEmpty() && !all.endsWith("\n");
    String[] lines = all.split("\n", -1);
    // The last element is what follows the final newline: empty, or a line cut short.
    for (int i = 0; i < lines.length - 1; i++) {
      String l = lines[i];
      if (l.isBlank()) {
        continue;
      }
      JsonObject o;
      try {
        o = JsonParser.parseString(l).getAsJsonObject();
      } catch (JsonParseException | IllegalStateException e) {
        throw new IOException(out + ":" + (i + 1) + ": not a results line; move the file away to start over");
      }
      boolean retry = o.has("error") && o.getAsJsonObject("error").has("reason")
          && STREAM_FAILED.equals(o.getAsJsonObject("error").get("reason").getAsString());
      if (retry || !o.has("id") || !done.add(o.get("id").getAsString())) {
        dropped = true;
        continue;
      }
      keep.add(l);
    }
    if (dropped) {
      Path tmp = out.resolveSibling(out.getFileName() + ".resume");
      Files.write(tmp, keep, StandardCharsets.UTF_8);
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return done;
  }

  /** One run over one shard: the stream, the window of unanswered items and the results writer. */
  private static final class Run implements AutoCloseable {

    private final FusionCheckerServiceGrpc.FusionCheckerServiceStub stub;
    private final Options o;
    private final BufferedWriter w;
    private final PrintStream log;
    /** Sent and not yet answered, in sending order; resent after the stream breaks. */
    private final Map<String, ScreenItemRequest> pending = new LinkedHashMap<>();
    /** One permit per item that may be unanswered at a time. */
    private final Semaphore window;
    final AtomicLong answered = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong unanswered = new AtomicLong();
    private final AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    /** Answers received from the front door, over all streams. */
    private final AtomicLong streamAnswers = new AtomicLong();
    private Session session;
    private int attempts;

    Run(FusionCheckerServiceGrpc.FusionCheckerServiceStub stub, Options o, BufferedWriter w, PrintStream log) {
      this.stub = stub;
      this.o = o;
      this.w = w;
      this.log = log;
      this.window = new Semaphore(o.concurrency());
    }

    /** Sends one manifest line, or answers it locally when it cannot be sent. */
    void offer(long lineNo, String line, Path base, Set<String> seen, Set<String> done) throws IOException {
      JsonObject item;
      try {
        item = JsonParser.parseString(line).getAsJsonObject();
      } catch (JsonParseException | IllegalStateException e) {
        String id = "line-" + lineNo;
        if (seen.add(id)) {
          local(id, Status.Code.INVALID_ARGUMENT, "ITEM_MALFORMED_JSON", "line " + lineNo + " is not a JSON object");
        }
        return;
      }
      String id = item.has("id") && item.get("id").isJsonPrimitive() ? item.get("id").getAsString() : "line-" + lineNo;
      if (done.contains(id)) {
        return;
      }
      if (!seen.add(id)) {
        // Answered under its own id, so that a resumed run recognizes the line as done.
        String dup = id + "#line-" + lineNo;
        if (seen.add(dup)) {
          local(dup, Status.Code.INVALID_ARGUMENT, "ITEM_DUPLICATE_ID", "id '" + id + "' appears again on line " + lineNo);
        }
        return;
      }
      ScreenItemRequest req;
      try {
        req = request(id, item, base);
      } catch (LocalError e) {
        local(id, e.code, e.reason, e.getMessage());
        return;
      } catch (IllegalStateException | UnsupportedOperationException e) {
        local(id, Status.Code.INVALID_ARGUMENT, "ITEM_MALFORMED", "line " + lineNo + ": text, image and audio must be "
            + "strings (image and audio may be arrays of strings)");
        return;
      }
      if (req.getSerializedSize() > o.maxItemBytes()) {
        local(id, Status.Code.RESOURCE_EXHAUSTED, "ITEM_TOO_LARGE",
            "item is " + req.getSerializedSize() + " bytes, the limit is " + o.maxItemBytes());
        return;
      }
      acquire();
      synchronized (this) {
        pending.put(id, req);
      }
      send(req);
    }

    private ScreenItemRequest request(String id, JsonObject item, Path base) throws LocalError {
      ScreenItemRequest.Builder b = ScreenItemRequest.newBuilder().setId(id).setPolicy(o.policy());
      if (item.has("text")) {
        b.addParts(Part.newBuilder().setId("text").setText(item.get("text").getAsString()));
      }
      for (String kind : List.of("image", "audio")) {
        if (!item.has(kind)) {
          continue;
        }
        JsonElement e = item.get(kind);
        List<String> paths = new ArrayList<>();
        if (e.isJsonArray()) {
          e.getAsJsonArray().forEach(p -> paths.add(p.getAsString()));
        } else {
          paths.add(e.getAsString());
        }
        int n = 0;
        for (String p : paths) {
          Path f = base.resolve(p);
          ByteString bytes = read(f, kind);
          Part.Builder part = Part.newBuilder().setId(kind + (paths.size() > 1 ? "-" + n++ : ""));
          b.addParts(kind.equals("image") ? part.setImage(bytes) : part.setAudio(bytes));
        }
      }
      return b.build();
    }

    private ByteString read(Path f, String kind) throws LocalError {
      try {
        long size = Files.size(f);
        if (size > o.maxItemBytes()) {
          throw new LocalError(Status.Code.RESOURCE_EXHAUSTED, "ITEM_TOO_LARGE",
              kind + " " + f + " is " + size + " bytes, the limit is " + o.maxItemBytes());
        }
        return ByteString.copyFrom(Files.readAllBytes(f));
      } catch (IOException e) {
        throw new LocalError(Status.Code.INVALID_ARGUMENT, "ITEM_FILE_UNREADABLE", "cannot read " + kind + " " + f);
      }
    }

    /** Waits for a free slot in the window, recovering the stream if it broke meanwhile. */
    private void acquire() throws IOException {
      try {
        while (!window.tryAcquire(200, TimeUnit.MILLISECONDS)) {
          checkStream();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    /** Reopens a broken stream, and cancels one that has gone silent with items outstanding. */
    private void checkStream() {
      Session s = session;
      if (s == null) {
        return;
      }
      if (s.failure != null) {
        reopen(s.failure);
      } else if (hasPending() && System.nanoTime() - lastProgress.get() > TimeUnit.MILLISECONDS.toNanos(o.idleTimeoutMs())) {
        s.cancel("no answer for " + o.idleTimeoutMs() + " ms");
      }
    }

    private synchronized boolean hasPending() {
      return !pending.isEmpty();
    }

    private void send(ScreenItemRequest req) {
      if (session == null) {
        session = open();
      } else if (session.failure != null) {
        reopen(session.failure);
        return; // reopen resent everything pending, this item included
      }
      session.send(req);
    }

    private Session open() {
      attempts++;
      lastProgress.set(System.nanoTime());
      return new Session(this);
    }

    /** Opens a new stream and resends the unanswered items, or gives up after the last attempt. */
    private void reopen(Throwable why) {
      if (session != null) {
        session.cancel("superseded"); // no-op on a failed call; keeps no half-open stream around
        if (streamAnswers.get() > session.answersAtStart) {
          // The stream made progress: a front door restart hours into a run starts a fresh count.
          attempts = 0;
        }
      }
      List<ScreenItemRequest> again;
      synchronized (this) {
        again = new ArrayList<>(pending.values());
      }
      if (attempts >= o.maxAttempts()) {
        session = null;
        giveUp(why);
        return;
      }
      log.println("screenmesh: stream broke (" + describe(why) + "); reopening and resending " + again.size() + " items");
      try {
        Thread.sleep(Math.min(5000, 250L << attempts));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      session = open();
      for (ScreenItemRequest r : again) {
        session.send(r);
      }
    }

    /** Writes a {@value #STREAM_FAILED} line for every unanswered item and frees their slots. */
    private void giveUp(Throwable why) {
      List<String> ids;
      synchronized (this) {
        ids = new ArrayList<>(pending.keySet());
        pending.clear();
      }
      for (String id : ids) {
        write(error(id, Status.Code.UNAVAILABLE.value(), STREAM_FAILED, "no answer after " + attempts + " attempts: "
            + describe(why)));
        unanswered.incrementAndGet();
        errors.incrementAndGet();
        window.release();
      }
    }

    /** Called on a gRPC thread for each answer: writes it once, frees its slot. */
    void onAnswer(ScreenItemStreamResponse r) {
      lastProgress.set(System.nanoTime());
      streamAnswers.incrementAndGet();
      synchronized (this) {
        if (pending.remove(r.getId()) == null) {
          return; // an answer to an item resent after a broken stream, already written
        }
      }
      JsonObject line;
      if (r.hasError()) {
        ItemError e = r.getError();
        line = error(r.getId(), e.getCode(), e.getReason(), e.getMessage());
        errors.incrementAndGet();
      } else {
        line = result(r.getResponse());
      }
      write(line);
      answered.incrementAndGet();
      window.release();
    }

    /** Closes the sending side and waits until every item is answered or given up. */
    void finish() throws IOException {
      if (session == null) {
        return;
      }
      session.complete();
      try {
        while (true) {
          Session s = session;
          if (s == null) {
            return; // gave up: every unanswered item has its error line
          }
          boolean ended = s.done.await(200, TimeUnit.MILLISECONDS);
          if (!hasPending()) {
            if (!ended) {
              // All answered; the server ends the stream next. Do not hang on one that does not.
              s.done.await(Math.min(o.idleTimeoutMs(), 10_000), TimeUnit.MILLISECONDS);
            }
            return;
          }
          if (ended && s.failure == null) {
            s.failure = Status.INTERNAL.withDescription("the stream ended with items unanswered").asRuntimeException();
          }
          if (s.failure != null) {
            reopen(s.failure);
            if (session != null) {
              session.complete();
            }
          } else {
            checkStream();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    private void local(String id, Status.Code code, String reason, String message) {
      write(error(id, code.value(), reason, message));
      answered.incrementAndGet();
      errors.incrementAndGet();
    }

    private synchronized void write(JsonObject line) {
      try {
        w.write(line.toString());
        w.write('\n');
        // Each line reaches the file as it is answered, so a killed pod resumes where it stopped.
        w.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write results", e);
      }
    }

    @Override
    public void close() {
      Session s = session;
      if (s != null) {
        s.cancel("closing");
      }
    }
  }

  /** One ScreenItemStream call. */
  private static final class Session implements StreamObserver<ScreenItemStreamResponse> {

    private final Run run;
    private final ClientCallStreamObserver<ScreenItemStreamRequest> requests;
    final CountDownLatch done = new CountDownLatch(1);
    final long answersAtStart;
    volatile Throwable failure;

    Session(Run run) {
      this.run = run;
      this.answersAtStart = run.streamAnswers.get();
      this.requests = (ClientCallStreamObserver<ScreenItemStreamRequest>) run.stub.screenItemStream(this);
    }

    void send(ScreenItemRequest r) {
      requests.onNext(ScreenItemStreamRequest.newBuilder().setRequest(r).build());
    }

    void complete() {
      requests.onCompleted();
    }

    void cancel(String why) {
      requests.cancel(why, null);
    }

    @Override
    public void onNext(ScreenItemStreamResponse r) {
      run.onAnswer(r);
    }

    @Override
    public void onError(Throwable t) {
      failure = t;
      done.countDown();
    }

    @Override
    public void onCompleted() {
      done.countDown();
    }
  }

  /** An item answered by this client because it cannot be sent. */
  private static final class LocalError extends Exception {
    final Status.Code code;
    final String reason;

    LocalError(Status.Code code, String reason, String message) {
      super(message, null, false, false);
      this.code = code;
      this.reason = reason;
    }
  }

  static JsonObject result(ScreenItemResponse r) {
    JsonObject o = new JsonObject();
    o.addProperty("id", r.getId());
    o.addProperty("decision", r.getVerdict().getDecision().name().replaceFirst("^DECISION_", ""));
    // Through the float's shortest decimal form: 0.93, not 0.9300000071525574.
    o.add("score", new JsonPrimitive(new BigDecimal(Float.toString(r.getVerdict().getScore()))));
    Set<String> categories = new TreeSet<>();
    for (Finding f : r.getVerdict().getReasonsList()) {
      categories.add(f.getCategory().name().replaceFirst("^CATEGORY_", ""));
    }
    JsonArray c = new JsonArray();
    categories.forEach(c::add);
    o.add("categories", c);
    o.addProperty("policy", r.getPolicy());
    return o;
  }

  static JsonObject error(String id, int code, String reason, String message) {
    JsonObject e = new JsonObject();
    e.addProperty("code", code);
    e.addProperty("status", Status.fromCodeValue(code).getCode().name());
    e.addProperty("reason", reason);
    e.addProperty("message", message);
    JsonObject o = new JsonObject();
    o.addProperty("id", id);
    o.add("error", e);
    return o;
  }

  private static String describe(Throwable t) {
    if (t instanceof StatusRuntimeException s) {
      return s.getStatus().getCode() + (s.getStatus().getDescription() == null ? "" : ": " + s.getStatus().getDescription());
    }
    return String.valueOf(t);
  }
}
