package io.screenmesh.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The backends under test, each compared with the java oracle; unavailable ones are skipped with their reason. */
final class Backends {
    private static final Map<Backend, Object> CACHE = new ConcurrentHashMap<>();
    static final AccelerationProvider ORACLE = AccelerationProviders.create(Backend.JAVA);

    private Backends() {
    }

    /** Names for {@code @MethodSource}: every backend, java included (it must agree with the goldens too). */
    static List<String> all() {
        List<String> names = new ArrayList<>();
        for (Backend b : Backend.values()) {
            names.add(b.id());
        }
        return names;
    }

    /** Names of the backends compared against the oracle. */
    static List<String> accelerated() {
        return List.of(Backend.CUDA.id(), Backend.NATIVE.id());
    }

    /** The provider, or the test is skipped with the reason the backend refused. */
    static AccelerationProvider require(String id) {
        Backend backend = Backend.fromId(id);
        Object p = CACHE.computeIfAbsent(backend, b -> {
            try {
                return AccelerationProviders.create(b);
            } catch (BackendUnavailableException e) {
                return e.getMessage();
            }
        });
        assumeTrue(p instanceof AccelerationProvider, () -> id + " backend unavailable: " + p);
        return (AccelerationProvider) p;
    }
}
