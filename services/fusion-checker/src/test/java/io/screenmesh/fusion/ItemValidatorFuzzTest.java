package io.screenmesh.fusion;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.services.common.testing.FuzzChecks;
import java.util.List;
import java.util.Set;

/**
 * Fuzz target for request validation at the front door: the bytes of a {@code ScreenItemRequest}
 * as the transport parses them, then {@link ItemValidator}'s rules and size checks. Seeds:
 * {@code ItemValidatorFuzzTestInputs/validate} (serialized requests, valid and broken).
 */
class ItemValidatorFuzzTest {

  private static final int MAX_PARTS = 16;
  private static final FusionSettings.PartLimits LIMITS = new FusionSettings.PartLimits(1024, 4096, 4096);
  private static final Set<String> REASONS = Set.of("ITEM_ID_TOO_LONG", "ITEM_EMPTY", "ITEM_TOO_MANY_PARTS",
      "PART_EMPTY", "PART_ID_TOO_LONG", "PART_ID_DUPLICATE");
  private static final Set<String> OVERSIZE = Set.of("TEXT_TOO_LARGE", "IMAGE_TOO_LARGE", "AUDIO_TOO_LARGE");
  // Protobuf's parser state and the copies of parts whose ids are filled in.
  private static final long ALLOWANCE = 1L << 20;

  @FuzzTest
  void validate(byte[] data) {
    FuzzChecks.check(data.length, ALLOWANCE, REASONS, () -> {
      ScreenItemRequest request;
      try {
        request = ScreenItemRequest.parseFrom(data);
      } catch (InvalidProtocolBufferException e) {
        return; // the transport answers INVALID_ARGUMENT before any of our code runs
      }
      List<io.screenmesh.fusion.v1.Part> parts = ItemValidator.validate(request, MAX_PARTS);
      assertTrue(!parts.isEmpty() && parts.size() <= MAX_PARTS, parts.size() + " parts");
      for (var part : parts) {
        assertTrue(!part.getId().isEmpty() && part.getId().length() <= ItemValidator.MAX_ID_LENGTH, "part id");
        var oversize = ItemValidator.oversize(part, LIMITS);
        assertTrue(oversize == null || OVERSIZE.contains(oversize.reason()), "oversize reason");
      }
    });
  }
}
