package io.screenmesh.fusion.audit;

import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;

/**
 * Where the front door reports each item it answered: one call per item, screened or refused,
 * unary or on a stream.
 */
public interface AuditSink {

  /** Records nothing: tests and tools that drive the screener without an audit log. */
  AuditSink NONE = new AuditSink() {
    @Override
    public void screened(String principal, ScreenItemRequest request, ScreenItemResponse response) {}

    @Override
    public void refused(String principal, ScreenItemRequest request, Throwable error) {}
  };

  /** An item was screened and {@code response} is its answer. */
  void screened(String principal, ScreenItemRequest request, ScreenItemResponse response);

  /** An item was answered with an error (invalid item, unknown policy, ...) instead of a verdict. */
  void refused(String principal, ScreenItemRequest request, Throwable error);
}
