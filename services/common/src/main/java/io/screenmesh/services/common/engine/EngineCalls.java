package io.screenmesh.services.common.engine;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.screenmesh.common.v1.ItemError;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.ScreeningException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The one gRPC adapter of every modality engine: a unary call and a bidirectional stream,
 * both fed into the engine's {@link DynamicBatcher}, written against grpc-java's
 * {@code StreamObserver} so that flow control is exact.
 *
 * <p>Unary: the request is queued for the next batch; the answer or the mapped status
 * ({@link GrpcErrors}) goes back. Stream: up to {@code window} requests of a stream are in the
 * batcher at once; answers go out in arrival order, each request answered exactly once (a
 * request that cannot be screened gets its {@link ItemError}); the transport is asked for one
 * more request only when an answer has gone out and the caller is reading, so a caller that
 * sends faster than the service screens is slowed by HTTP/2 flow control instead of filling a
 * queue or timing items out.
 *
 * @param <Q> the engine's request
 * @param <R> the engine's answer
 */
public final class EngineCalls<Q, R> {

  /** The reason of a stream item that carries no request. */
  public static final String MISSING_REQUEST = "MISSING_REQUEST";

  private final DynamicBatcher<Q, R> batcher;
  private final int window;

  /**
   * Creates the adapter.
   *
   * @param batcher the engine's batcher; must outlive this adapter
   * @param window the most requests of one stream in the batcher at once
   */
  public EngineCalls(DynamicBatcher<Q, R> batcher, int window) {
    if (window < 1) {
      throw new IllegalArgumentException("stream window must be at least 1, got " + window);
    }
    this.batcher = batcher;
    this.window = window;
  }

  /** Answers one unary call. Call it on the gRPC call's thread (it reads the call's context). */
  public void unary(Q request, StreamObserver<R> response) {
    ServerCallStreamObserver<R> call = response instanceof ServerCallStreamObserver<R> s ? s : null;
    batcher.submit(request, Context.current()).whenComplete((r, t) -> {
      // No answer to a caller that went away. Writing one raced the caller's RST on the event
      // loop: a response started for a stream HTTP/2 had already dropped made the server's codec
      // treat it as a new stream of its own ("Request stream N is not correct for server
      // connection") and close the whole connection with GOAWAY PROTOCOL_ERROR (OverloadIT).
      if (call != null && call.isCancelled()) {
        return;
      }
      if (t != null) {
        response.onError(GrpcErrors.toStatus(t));
      } else {
        response.onNext(r);
        response.onCompleted();
      }
    });
  }

  /**
   * Answers one stream.
   *
   * @param response the call's response observer (a {@link ServerCallStreamObserver})
   * @param unwrap the engine request inside a stream item, or null when the item carries none
   *     (that item is answered INVALID_ARGUMENT {@value #MISSING_REQUEST} and the stream goes on)
   * @param idOf the item's id, echoed in its answer
   * @param answer builds the stream answer from the id and the engine's answer
   * @param error builds the stream answer from the id and an item error
   * @return the observer of the caller's items
   */
  public <SQ, SR> StreamObserver<SQ> stream(StreamObserver<SR> response, Function<SQ, Q> unwrap,
      Function<SQ, String> idOf, BiFunction<String, R, SR> answer, BiFunction<String, ItemError, SR> error) {
    ServerCallStreamObserver<SR> call = (ServerCallStreamObserver<SR>) response;
    call.disableAutoRequest();
    Stream<SQ, SR> s = new Stream<>(call, Context.current(), unwrap, idOf, answer, error);
    call.setOnReadyHandler(s::drain);
    call.setOnCancelHandler(s::cancelled);
    call.request(window);
    return s;
  }

  private final class Stream<SQ, SR> implements StreamObserver<SQ> {
    private final ServerCallStreamObserver<SR> call;
    private final Context context;
    private final Function<SQ, Q> unwrap;
    private final Function<SQ, String> idOf;
    private final BiFunction<String, R, SR> answer;
    private final BiFunction<String, ItemError, SR> error;
    private final ArrayDeque<Pending<SR>> pending = new ArrayDeque<>();
    private boolean halfClosed;
    private boolean finished;
    private int owed;

    Stream(ServerCallStreamObserver<SR> call, Context context, Function<SQ, Q> unwrap, Function<SQ, String> idOf,
        BiFunction<String, R, SR> answer, BiFunction<String, ItemError, SR> error) {
      this.call = call;
      this.context = context;
      this.unwrap = unwrap;
      this.idOf = idOf;
      this.answer = answer;
      this.error = error;
    }

    @Override
    public void onNext(SQ item) {
      String id = idOf.apply(item);
      CompletableFuture<R> result;
      Q request = unwrap.apply(item);
      result = request == null
          ? CompletableFuture.failedFuture(ScreeningException.invalid(MISSING_REQUEST, "the stream item carries no request"))
          : batcher.submit(request, context);
      Pending<SR> p = new Pending<>();
      synchronized (this) {
        pending.add(p);
      }
      result.whenComplete((r, t) -> {
        SR out = t == null ? answer.apply(id, r) : error.apply(id, GrpcErrors.toItemError(t));
        synchronized (this) {
          p.answer = out;
        }
        drain();
      });
    }

    @Override
    public void onError(Throwable t) {
      cancelled();
    }

    @Override
    public void onCompleted() {
      synchronized (this) {
        halfClosed = true;
      }
      drain();
    }

    void cancelled() {
      synchronized (this) {
        finished = true;
        pending.clear();
      }
    }

    /** Sends the answers that are ready, in order, while the caller reads; asks for more. */
    void drain() {
      int sent = 0;
      boolean complete = false;
      synchronized (this) {
        // As for unary calls: nothing is written to a stream the caller has reset (its deadline
        // passed, it cancelled). A stream's first answer starts its response, and a response
        // started on a stream HTTP/2 had already dropped cost a unary caller's whole connection
        // (GOAWAY PROTOCOL_ERROR, every call on it failing).
        if (!finished && call.isCancelled()) {
          finished = true;
          pending.clear();
        }
        if (finished) {
          return;
        }
        while (!pending.isEmpty() && pending.peek().answer != null && call.isReady()) {
          call.onNext(pending.poll().answer);
          sent++;
        }
        owed += sent;
        if (halfClosed && pending.isEmpty()) {
          finished = true;
          complete = true;
        } else if (owed > 0 && call.isReady() && !halfClosed) {
          call.request(owed);
          owed = 0;
        }
        if (complete) {
          call.onCompleted();
        }
      }
    }
  }

  private static final class Pending<SR> {
    SR answer;
  }
}
