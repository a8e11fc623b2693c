package io.screenmesh.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.screenmesh.fusion.policy.PolicyLoader;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.services.common.auth.Principal;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyRegistryTest {

  private final PolicyRegistry registry = new PolicyRegistry(PolicyLoader.loadBundled(), "default");

  @Test
  void emptyNameTakesTheDefault() {
    assertEquals("default", registry.resolve("").name());
    assertEquals("strict", registry.resolve("strict").name());
  }

  private static final Principal SCREENER = new Principal("pipeline", Set.of(Principal.SCREEN));

  @Test
  void unknownNameIsInvalidArgumentAndListsOnlyWhatTheCallerMayUse() {
    ScreeningException e = assertThrows(ScreeningException.class, () -> registry.resolve("tenant-x", SCREENER));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
    assertEquals("POLICY_UNKNOWN", e.reason());
    assertTrue(e.getMessage().contains("tenant-x") && e.getMessage().contains("strict"), e.getMessage());
    assertFalse(e.getMessage().contains("availability-first"), e.getMessage());
  }

  @Test
  void failOpenPolicyNeedsItsScope() {
    ScreeningException e = assertThrows(ScreeningException.class, () -> registry.resolve("availability-first", SCREENER));
    assertEquals(Status.Code.PERMISSION_DENIED, e.code());
    assertEquals("POLICY_SCOPE_MISSING", e.reason());
    assertTrue(e.getMessage().contains("policy:availability-first"), e.getMessage());

    Principal granted = new Principal("pipeline", Set.of(Principal.SCREEN, "policy:availability-first"));
    assertEquals("availability-first", registry.resolve("availability-first", granted).name());
    ScreeningException listed = assertThrows(ScreeningException.class, () -> registry.resolve("tenant-x", granted));
    assertTrue(listed.getMessage().contains("availability-first"), listed.getMessage());
  }

  @Test
  void failClosedPoliciesNeedNoScopeOfTheirOwn() {
    assertEquals("strict", registry.resolve("strict", SCREENER).name());
    assertEquals("default", registry.resolve("", SCREENER).name());
    assertFalse(PolicyRegistry.failsOpen(registry.resolve("", SCREENER)), "the default policy fails closed");
  }

  @Test
  void unknownDefaultPolicyFailsAtConstruction() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PolicyRegistry(PolicyLoader.loadBundled(), "standard"));
    assertTrue(e.getMessage().startsWith("screenmesh.fusion.default-policy is 'standard'"), e.getMessage());
  }

  @Test
  void aFailOpenDefaultPolicyFailsAtConstruction() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PolicyRegistry(PolicyLoader.loadBundled(), "availability-first"));
    assertTrue(e.getMessage().contains("fails open"), e.getMessage());
  }
}
