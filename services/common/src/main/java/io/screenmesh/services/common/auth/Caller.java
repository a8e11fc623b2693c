package io.screenmesh.services.common.auth;

import io.grpc.Context;

/**
 * Who sent the call being served: the principal the authentication interceptor established,
 * carried in the gRPC {@link Context} so that code far from the interceptor (the front door's
 * audit log, quotas) can name the caller without parsing headers again.
 */
public final class Caller {

  /** The principal of the current call; absent when no authentication is configured. */
  public static final Context.Key<String> PRINCIPAL = Context.key("screenmesh-principal");

  /** What {@link #current()} answers when the call carried no authenticated principal. */
  public static final String ANONYMOUS = "anonymous";

  private Caller() {}

  /** The current call's principal, or {@link #ANONYMOUS}. Read it on the call's own context. */
  public static String current() {
    String p = PRINCIPAL.get();
    return p == null ? ANONYMOUS : p;
  }
}
