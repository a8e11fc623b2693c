package io.screenmesh.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.common.v1.Decision;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StatsTest {

  private static void calls(Stats stats, int n) {
    for (int i = 0; i < n; i++) {
      stats.record(TimeUnit.MILLISECONDS.toNanos(1), Target.Outcome.ok(Decision.DECISION_ALLOW));
    }
  }

  private static void lags(Stats stats, int n, long nanos) {
    for (int i = 0; i < n; i++) {
      stats.recordSendLag(nanos);
    }
  }

  @Test
  void anOpenLoopThatFellBehindSaysSo() {
    Stats stats = new Stats();
    calls(stats, 100);
    lags(stats, 97, TimeUnit.MICROSECONDS.toNanos(50));
    lags(stats, 3, TimeUnit.MILLISECONDS.toNanos(8));
    Stats.Result r = stats.result("open", "text", "open", 1, 100, 0, "calls");
    assertEquals(3, r.lateSends());
    assertEquals(100, r.sendLag().getTotalCount());
    assertEquals(8.0, r.sendLag().getMaxValue() / 1e3, 0.01);
    String table = LoadGen.table(List.of(r));
    assertTrue(table.contains("3 of 100 sends over 1 ms late (the generator fell behind"), table);
  }

  @Test
  void anOpenLoopOnScheduleCarriesNoWarning() {
    Stats stats = new Stats();
    calls(stats, 200);
    lags(stats, 199, TimeUnit.MICROSECONDS.toNanos(20));
    lags(stats, 1, TimeUnit.MILLISECONDS.toNanos(3));
    Stats.Result r = stats.result("open", "text", "open", 1, 200, 0, "calls");
    assertEquals(1, r.lateSends());
    String table = LoadGen.table(List.of(r));
    assertTrue(table.contains("1 of 200 sends over 1 ms late\n"), table);
    assertFalse(table.contains("fell behind"), table);
  }

  @Test
  void closedLoopsHaveNoSendLag() {
    Stats stats = new Stats();
    calls(stats, 10);
    Stats.Result r = stats.result("closed c=1", "text", "closed", 1, 0, 1, "calls");
    assertNull(r.sendLag());
    assertEquals(0, r.lateSends());
    assertFalse(LoadGen.table(List.of(r)).contains("send lag"));
  }
}
