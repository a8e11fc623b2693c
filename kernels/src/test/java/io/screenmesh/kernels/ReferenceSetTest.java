package io.screenmesh.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReferenceSetTest {

    private static final Similarity SIM = Similarity.on(AccelerationProviders.create(Backend.JAVA));

    /** One row per label, each a unit vector along its own axis (dim 4). */
    private static Similarity.References axes(int... axes) {
        float[] rows = new float[axes.length * 4];
        for (int i = 0; i < axes.length; i++) {
            rows[i * 4 + axes[i]] = 1f;
        }
        return SIM.load(rows, axes.length, 4);
    }

    @Test
    void queriesSeeTheCurrentGenerationAndASwapReplacesIt() {
        try (ReferenceSet<List<String>> set = new ReferenceSet<>("exemplars", axes(0, 1), List.of("a", "b"))) {
            float[] q = {0, 1, 0, 0};
            assertEquals("b", set.query(s -> s.labels().get(s.references().topK(q, 1).index(0, 0))));
            assertEquals(1, set.version());
            assertEquals(2, set.swap(axes(2, 1, 3), List.of("c", "d", "e")));
            assertEquals("d", set.query(s -> s.labels().get(s.references().topK(q, 1).index(0, 0))));
            assertEquals(Integer.valueOf(3), set.query(s -> s.references().count()));
        }
    }

    @Test
    void aSwapDuringAQueryClosesTheOldGenerationOnlyWhenTheQueryEnds() throws Exception {
        Similarity.References first = axes(0);
        ReferenceSet<String> set = new ReferenceSet<>("exemplars", first, "v1");
        CountDownLatch inQuery = new CountDownLatch(1);
        CountDownLatch swapped = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                set.query(s -> {
                    inQuery.countDown();
                    try {
                        swapped.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    // Still usable although a newer generation is current.
                    return s.references().topK(new float[] {1, 0, 0, 0}, 1);
                });
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        inQuery.await();
        set.swap(axes(1), "v2");
        assertEquals("v2", set.query(s -> s.labels()));
        swapped.countDown();
        reader.join(10_000);
        assertEquals(null, failure.get());
        // Now the old generation is closed.
        assertThrows(IllegalStateException.class, () -> first.topK(new float[] {1, 0, 0, 0}, 1));
        set.close();
        set.close();
        assertThrows(IllegalStateException.class, () -> set.query(s -> s.labels()));
        Similarity.References late = axes(2);
        assertThrows(IllegalStateException.class, () -> set.swap(late, "v3"));
        assertThrows(IllegalStateException.class, () -> late.topK(new float[] {0, 0, 1, 0}, 1));
    }

    @Test
    void concurrentQueriesAndSwapsNeverTouchAClosedGeneration() throws Exception {
        ReferenceSet<Integer> set = new ReferenceSet<>("exemplars", axes(0, 1, 2, 3), 0);
        AtomicInteger queries = new AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < 4; t++) {
            readers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2_000; i++) {
                    try {
                        set.query(s -> s.references().topK(new float[] {0, 0, 1, 0}, 2));
                        queries.incrementAndGet();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }
            }));
        }
        for (int v = 1; v <= 200; v++) {
            set.swap(axes(3, 2, 1, 0), v);
        }
        for (Thread t : readers) {
            t.join(30_000);
        }
        assertEquals(null, failure.get());
        assertEquals(8_000, queries.get());
        assertTrue(set.version() == 201);
        set.close();
    }
}
