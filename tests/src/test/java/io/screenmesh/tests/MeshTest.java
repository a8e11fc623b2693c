package io.screenmesh.tests;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshTest {

  @Test
  void missingPackagedServiceSaysWhichAndHowToBuildIt(@TempDir Path emptyRoot) {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Mesh.start("none", emptyRoot));
    String m = e.getMessage();
    assertTrue(m.contains("run ./mvnw package first"), m);
    assertTrue(m.contains(emptyRoot.resolve("services/text-screening/target/quarkus-app/quarkus-run.jar").toString()), m);
    assertTrue(m.contains("fusion-checker"), m);
  }
}
