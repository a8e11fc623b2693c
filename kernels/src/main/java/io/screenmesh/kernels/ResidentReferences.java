package io.screenmesh.kernels;

/**
 * A reference matrix held by a provider (normalized rows, in host or device memory) for repeated
 * similarity queries. Created by {@link AccelerationProvider#upload}; the public face is
 * {@link Similarity.References}.
 *
 * <p>Holds off-heap or device memory: {@link #close()} frees it, is idempotent, and any use after
 * close throws {@link IllegalStateException}. Safe for concurrent queries; not for a query
 * concurrent with close.
 */
public interface ResidentReferences extends AutoCloseable {
    /** The provider that created this handle; only it can query it. */
    AccelerationProvider owner();

    /** Number of reference rows N. */
    int count();

    /** Dimension D of each row. */
    int dimension();

    /** Frees the memory; idempotent. */
    @Override
    void close();
}
