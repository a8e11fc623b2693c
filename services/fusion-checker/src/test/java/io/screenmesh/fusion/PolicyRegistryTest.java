package io.screenmesh.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.screenmesh.fusion.policy.PolicyLoader;
import io.screenmesh.services.common.ScreeningException;
import org.junit.jupiter.api.Test;

class PolicyRegistryTest {

  private final PolicyRegistry registry = new PolicyRegistry(PolicyLoader.loadBundled(), "default");

  @Test
  void emptyNameTakesTheDefault() {
    assertEquals("default", registry.resolve("").name());
    assertEquals("strict", registry.resolve("strict").name());
  }

  @Test
  void unknownNameIsInvalidArgument() {
    ScreeningException e = assertThrows(ScreeningException.class, () -> registry.resolve("tenant-x"));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
    assertEquals("POLICY_UNKNOWN", e.reason());
    assertTrue(e.getMessage().contains("tenant-x") && e.getMessage().contains("strict"), e.getMessage());
  }

  @Test
  void unknownDefaultPolicyFailsAtConstruction() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PolicyRegistry(PolicyLoader.loadBundled(), "standard"));
    assertTrue(e.getMessage().startsWith("screenmesh.fusion.default-policy is 'standard'"), e.getMessage());
  }
}
