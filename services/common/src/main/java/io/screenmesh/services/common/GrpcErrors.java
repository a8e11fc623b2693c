package io.screenmesh.services.common;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.screenmesh.common.v1.ItemError;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The one place where failures become gRPC statuses: invalid input → INVALID_ARGUMENT,
 * limits → RESOURCE_EXHAUSTED, a peer down → UNAVAILABLE, a deadline → DEADLINE_EXCEEDED,
 * the service out of memory → RESOURCE_EXHAUSTED, anything else (an
 * {@code IllegalArgumentException} from deep inside included) → INTERNAL with a generic
 * description and an error id; the cause is logged here with that id, never sent. Only our
 * own {@link ScreeningException}s and peers' statuses keep their code and message.
 * Each status carries a {@code google.rpc.ErrorInfo} with an UPPER_SNAKE reason in the
 * {@value #DOMAIN} domain.
 */
public final class GrpcErrors {

  /** The ErrorInfo domain of every screenmesh error. */
  public static final String DOMAIN = "screenmesh.io";

  private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  /** A mapped failure: code, reason and the message the caller may see. */
  public record Mapped(Status.Code code, String reason, String message) {}

  /** Maps any throwable to code, reason and a caller-safe message. */
  public static Mapped map(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof ScreeningException se) {
      return new Mapped(se.code(), se.reason(), se.getMessage());
    }
    if (c instanceof StatusRuntimeException || c instanceof StatusException) {
      Status s = Status.fromThrowable(c);
      String reason = reasonOf(c);
      return new Mapped(s.getCode(), reason != null ? reason : s.getCode().name(),
          s.getDescription() == null ? s.getCode().name() : s.getDescription());
    }
    if (c instanceof TimeoutException) {
      return new Mapped(Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", "screening ran out of time");
    }
    if (c instanceof OutOfMemoryError) {
      // The service, not the caller, ran short: the caller may retry later or elsewhere.
      String id = errorId();
      LOG.errorf(c, "out of memory while screening (error id %s)", id);
      return new Mapped(Status.Code.RESOURCE_EXHAUSTED, "SERVER_MEMORY_EXHAUSTED",
          "the service ran out of memory; retry later (error id " + id + ")");
    }
    // Anything else is our fault, whatever its type: an IllegalArgumentException thrown deep
    // inside a library says nothing about the caller's input, and its message may name internals.
    String id = errorId();
    LOG.errorf(c, "internal error while screening (error id %s)", id);
    return new Mapped(Status.Code.INTERNAL, "INTERNAL", "internal error (error id " + id + ")");
  }

  /** Maps a throwable to a {@link StatusRuntimeException} with an ErrorInfo in its trailers. */
  public static StatusRuntimeException toStatus(Throwable t) {
    Mapped m = map(t);
    com.google.rpc.Status proto = com.google.rpc.Status.newBuilder()
        .setCode(m.code().value())
        .setMessage(m.message() == null ? "" : m.message())
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(m.reason()).setDomain(DOMAIN).build()))
        .build();
    return StatusProto.toStatusRuntimeException(proto);
  }

  /** Maps a throwable to an {@link ItemError} for one item of a stream. */
  public static ItemError toItemError(Throwable t) {
    Mapped m = map(t);
    return ItemError.newBuilder()
        .setCode(m.code().value())
        .setReason(m.reason())
        .setMessage(m.message() == null ? "" : m.message())
        .build();
  }

  /** The ErrorInfo reason carried by a status exception, or null. */
  public static String reasonOf(Throwable t) {
    com.google.rpc.Status s = StatusProto.fromThrowable(t);
    if (s == null) {
      return null;
    }
    for (Any a : s.getDetailsList()) {
      if (a.is(ErrorInfo.class)) {
        try {
          return a.unpack(ErrorInfo.class).getReason();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static String errorId() {
    return java.util.UUID.randomUUID().toString();
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
