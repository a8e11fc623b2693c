package io.screenmesh.kernels;

import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;

/**
 * Chooses the {@link AccelerationProvider} once per JVM and creates specific ones for tests and
 * benchmarks.
 *
 * <p>The choice comes from the system property {@value #PROPERTY} or else the environment variable
 * {@value #ENV} (which Quarkus also maps to {@code screenmesh.backend}), one of {@code auto}
 * (the default), {@code cuda}, {@code native}, {@code java}. {@code auto} tries cuda, then native,
 * then java, logging one WARN with the reason for each backend that refuses. An explicit backend
 * that cannot start throws {@link BackendUnavailableException} from the first facade call (and so
 * fails start-up of a service that touches {@link #current()} while starting). One INFO line names
 * the backend in use.
 */
public final class AccelerationProviders {
    /** System property naming the backend. */
    public static final String PROPERTY = "screenmesh.backend";
    /** Environment variable naming the backend when the property is absent. */
    public static final String ENV = "SCREENMESH_BACKEND";

    private static final System.Logger LOG = System.getLogger("io.screenmesh.kernels");

    private AccelerationProviders() {
    }

    // Lazy holder: the lookup (which may load native code) runs on first use, never in a static
    // initializer of a class that merely mentions the facades.
    private static final class Holder {
        static final AccelerationProvider INSTANCE = lookup();
    }

    /**
     * The provider chosen for this JVM.
     *
     * @throws BackendUnavailableException when an explicitly configured backend cannot start
     *                                     (wrapped in {@link ExceptionInInitializerError} after the first call)
     */
    public static AccelerationProvider current() {
        return Holder.INSTANCE;
    }

    /**
     * Creates a new provider of the named backend, bypassing the configured choice; for tests,
     * benchmarks and diagnostics.
     *
     * @param id {@code cuda}, {@code native} or {@code java}
     * @throws IllegalArgumentException    when the name is unknown
     * @throws BackendUnavailableException when the backend cannot run here (the message says why)
     */
    public static AccelerationProvider create(String id) {
        return create(Backend.fromId(id));
    }

    /**
     * Creates a new provider of the given backend.
     *
     * @throws BackendUnavailableException when the backend cannot run here (the message says why)
     */
    public static AccelerationProvider create(Backend backend) {
        Class<?> type;
        try {
            type = Class.forName(backend.providerClassName(), true, AccelerationProviders.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new BackendUnavailableException(backend.id() + " backend is not on the class path ("
                    + backend.providerClassName() + "): " + e, e);
        }
        try {
            return (AccelerationProvider) type.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BackendUnavailableException refused) {
                throw refused;
            }
            // A missing driver surfaces as UnsatisfiedLinkError / NoClassDefFoundError (Errors).
            throw new BackendUnavailableException(backend.id() + " backend failed to start: " + cause, cause);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new BackendUnavailableException(backend.id() + " backend cannot be instantiated: " + e, e);
        }
    }

    /** The configured choice: {@code auto}, {@code cuda}, {@code native} or {@code java}. */
    public static String configuredChoice() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            value = System.getenv(ENV);
        }
        return value == null || value.isBlank() ? "auto" : value.trim().toLowerCase(java.util.Locale.ROOT);
    }

    private static AccelerationProvider lookup() {
        return choose(configuredChoice());
    }

    /**
     * Creates the provider for a configured choice, as {@link #current()} does for the JVM-wide
     * choice: {@code auto} tries cuda, then native, then java (one WARN per refusal); an explicit
     * backend must start. Logs one INFO line naming the backend. Services call this from their
     * configuration (a CDI producer) so that {@code screenmesh.backend} in application.properties
     * is honoured.
     *
     * @param choice {@code auto}, {@code cuda}, {@code native} or {@code java}
     * @throws BackendUnavailableException when the choice is invalid, or explicit and cannot start
     */
    public static AccelerationProvider choose(String choice) {
        choice = choice == null || choice.isBlank() ? "auto" : choice.trim().toLowerCase(java.util.Locale.ROOT);
        AccelerationProvider chosen;
        if (choice.equals("auto")) {
            chosen = null;
            for (Backend backend : Backend.values()) {
                try {
                    chosen = create(backend);
                    break;
                } catch (BackendUnavailableException e) {
                    LOG.log(Level.WARNING, "screenmesh backend {0} unavailable, falling back: {1}",
                            backend.id(), e.getMessage());
                }
            }
            if (chosen == null) {
                throw new BackendUnavailableException("no backend could start, not even java");
            }
        } else {
            Backend backend;
            try {
                backend = Backend.fromId(choice);
            } catch (IllegalArgumentException e) {
                throw new BackendUnavailableException(PROPERTY + "=" + choice + " is invalid: " + e.getMessage(), e);
            }
            try {
                chosen = create(backend);
            } catch (BackendUnavailableException e) {
                throw new BackendUnavailableException(PROPERTY + "=" + choice + " cannot start: " + e.getMessage(), e);
            }
        }
        LOG.log(Level.INFO, "screenmesh backend: {0} ({1}), chosen by {2}={3}",
                chosen.backend().id(), chosen.description(), PROPERTY, choice);
        return chosen;
    }
}
