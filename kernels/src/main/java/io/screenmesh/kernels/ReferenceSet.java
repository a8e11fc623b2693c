package io.screenmesh.kernels;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The lifecycle of one resident reference set (known-attack exemplars, say): loaded at start-up,
 * queried concurrently, swapped atomically when it is reloaded, closed at shutdown.
 *
 * <p>Each generation carries its {@link Similarity.References} and the labels that say what its
 * rows are (exemplar ids). A query holds a lease on the generation it started with, so a swap
 * never frees backend memory under a running query: the old generation is closed when its last
 * query ends, and queries that start after the swap see only the new one. Use after
 * {@link #close()} throws {@link IllegalStateException}.
 *
 * @param <L> what describes the rows, such as a list of exemplar ids
 */
public final class ReferenceSet<L> implements AutoCloseable {

    /**
     * One generation as a query sees it.
     *
     * @param references the resident rows; valid only during the query
     * @param labels what the rows are
     * @param version 1 for the first load, one more for each swap
     */
    public record Snapshot<L>(Similarity.References references, L labels, long version) {
    }

    private static final class Generation<L> {
        final Snapshot<L> snapshot;
        // One lease for being current, one per running query; the last release closes.
        final AtomicInteger leases = new AtomicInteger(1);

        Generation(Snapshot<L> snapshot) {
            this.snapshot = snapshot;
        }

        boolean acquire() {
            int n;
            do {
                n = leases.get();
                if (n == 0) {
                    return false;
                }
            } while (!leases.compareAndSet(n, n + 1));
            return true;
        }

        void release() {
            if (leases.decrementAndGet() == 0) {
                snapshot.references().close();
            }
        }
    }

    private final String name;
    private final AtomicReference<Generation<L>> current;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Creates the set with its first generation, which it now owns.
     *
     * @param name names the set in messages
     * @param references the first rows; closed by this set
     * @param labels what the rows are
     */
    public ReferenceSet(String name, Similarity.References references, L labels) {
        this.name = Objects.requireNonNull(name, "name");
        this.current = new AtomicReference<>(new Generation<>(new Snapshot<>(
                Objects.requireNonNull(references, "references"), labels, 1)));
    }

    /**
     * Runs {@code query} against the current generation, which stays open until it returns.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public <T> T query(Function<Snapshot<L>, T> query) {
        while (true) {
            Generation<L> g = current.get();
            if (g == null) {
                throw new IllegalStateException("reference set " + name + " is closed");
            }
            if (g.acquire()) {
                try {
                    return query.apply(g.snapshot);
                } finally {
                    g.release();
                }
            }
            // The generation was retired between the read and the lease: read the new one.
        }
    }

    /**
     * Makes {@code references} the current generation; the previous one is closed once its
     * running queries end.
     *
     * @return the new version
     * @throws IllegalStateException after {@link #close()} (the new references are closed then)
     */
    public long swap(Similarity.References references, L labels) {
        Objects.requireNonNull(references, "references");
        while (true) {
            Generation<L> old = current.get();
            if (old == null) {
                references.close();
                throw new IllegalStateException("reference set " + name + " is closed");
            }
            Generation<L> next = new Generation<>(new Snapshot<>(references, labels, old.snapshot.version() + 1));
            if (current.compareAndSet(old, next)) {
                old.release();
                return next.snapshot.version();
            }
        }
    }

    /** The version of the current generation. */
    public long version() {
        Generation<L> g = current.get();
        if (g == null) {
            throw new IllegalStateException("reference set " + name + " is closed");
        }
        return g.snapshot.version();
    }

    /** Retires the current generation (closed when its last query ends); idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Generation<L> g = current.getAndSet(null);
            if (g != null) {
                g.release();
            }
        }
    }
}
