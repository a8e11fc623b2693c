package io.screenmesh.bench.jmh;

import io.screenmesh.kernels.AccelerationProvider;
import io.screenmesh.kernels.AccelerationProviders;
import io.screenmesh.kernels.Backend;
import io.screenmesh.kernels.BackendUnavailableException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Starts the backends the benchmarks are parameterized by, and says why one cannot start. */
public final class Backends {
    private Backends() {
    }

    /**
     * A fresh provider of the named backend for a benchmark fork.
     *
     * @throws IllegalStateException when the backend cannot start here, with the backend's reason
     */
    public static AccelerationProvider start(String id) {
        try {
            return AccelerationProviders.create(id);
        } catch (BackendUnavailableException e) {
            throw new IllegalStateException("backend " + id + " cannot start: " + e.getMessage(), e);
        }
    }

    /**
     * Tries every backend once in this JVM, fastest first: each maps to empty when it starts, or to
     * the reason it refused. The suite benchmarks only the ones that start and reports the others
     * as skipped.
     */
    public static Map<String, Optional<String>> probe() {
        Map<String, Optional<String>> result = new LinkedHashMap<>();
        for (Backend backend : Backend.values()) {
            try {
                AccelerationProvider provider = AccelerationProviders.create(backend);
                result.put(backend.id(), Optional.empty());
                System.err.println("bench: backend " + backend.id() + ": " + provider.description());
            } catch (BackendUnavailableException | LinkageError e) {
                result.put(backend.id(), Optional.of(String.valueOf(e.getMessage())));
            }
        }
        return result;
    }
}
