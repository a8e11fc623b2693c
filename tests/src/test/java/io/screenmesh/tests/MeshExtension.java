package io.screenmesh.tests;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves a {@link Mesh} parameter to one mesh shared by every test class of the run: it is
 * started on first use and stopped when the test engine finishes (the root store closes its
 * {@link AutoCloseable} values). Tests that kill a service must start their own with
 * {@link Mesh#start(String)} instead.
 *
 * <p>A failed start is remembered, so the remaining classes fail at once with the same cause
 * instead of each waiting out the start-up bound again.
 */
public final class MeshExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MeshExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Mesh.class;
  }

  @Override
  public Mesh resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Started started = context.getRoot().getStore(NAMESPACE)
        .computeIfAbsent("shared", k -> Started.start(), Started.class);
    if (started.failure() != null) {
      throw new IllegalStateException("the shared mesh did not start", started.failure());
    }
    return started.mesh();
  }

  /** The shared mesh, or why it did not start. */
  private record Started(Mesh mesh, RuntimeException failure) implements AutoCloseable {
    static Started start() {
      try {
        return new Started(Mesh.start("shared"), null);
      } catch (RuntimeException e) {
        return new Started(null, e);
      }
    }

    @Override
    public void close() {
      if (mesh != null) {
        mesh.close();
      }
    }
  }
}
