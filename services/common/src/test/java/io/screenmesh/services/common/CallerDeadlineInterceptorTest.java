package io.screenmesh.services.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Context;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallerDeadlineInterceptorTest {

  @Test
  void parsesEveryUnitOfTheWireFormat() {
    assertEquals(TimeUnit.HOURS.toNanos(2), CallerDeadlineInterceptor.parseTimeoutNanos("2H"));
    assertEquals(TimeUnit.MINUTES.toNanos(1), CallerDeadlineInterceptor.parseTimeoutNanos("1M"));
    assertEquals(TimeUnit.SECONDS.toNanos(30), CallerDeadlineInterceptor.parseTimeoutNanos("30S"));
    assertEquals(TimeUnit.MILLISECONDS.toNanos(2999), CallerDeadlineInterceptor.parseTimeoutNanos("2999m"));
    assertEquals(TimeUnit.MICROSECONDS.toNanos(99999999), CallerDeadlineInterceptor.parseTimeoutNanos("99999999u"));
    assertEquals(5, CallerDeadlineInterceptor.parseTimeoutNanos("5n"));
    assertEquals(0, CallerDeadlineInterceptor.parseTimeoutNanos("0m"));
  }

  @Test
  void ignoresMalformedValues() {
    for (String bad : new String[] {null, "", "m", "10", "10x", "-5m", "1.5S", "123456789m", "12 m"}) {
      assertEquals(-1, CallerDeadlineInterceptor.parseTimeoutNanos(bad), String.valueOf(bad));
    }
  }

  @Test
  void aCallThatEndsBeforeItsDeadlineLeavesNoTimerQueued() {
    ScheduledThreadPoolExecutor timer = CallerDeadlineInterceptor.timer();
    try {
      Context.CancellableContext call = Context.current().withDeadlineAfter(1, TimeUnit.HOURS, timer);
      assertEquals(1, timer.getQueue().size());
      call.cancel(null);
      assertEquals(0, timer.getQueue().size());
    } finally {
      timer.shutdownNow();
    }
  }
}
