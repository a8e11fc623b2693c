package io.screenmesh.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.services.common.ScreeningException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemValidatorTest {

  private static Part text(String id, String t) {
    return Part.newBuilder().setId(id).setText(t).build();
  }

  private static ScreenItemRequest item(Part... parts) {
    return ScreenItemRequest.newBuilder().setId("item").addAllParts(List.of(parts)).build();
  }

  @Test
  void namesPartsWithoutIdsByPosition() {
    List<Part> parts = ItemValidator.validate(item(text("", "hello"), text("caption", "a cat"),
        Part.newBuilder().setImage(ByteString.copyFromUtf8("png")).build()), 16);
    assertEquals(List.of("p0", "caption", "p2"), parts.stream().map(Part::getId).toList());
    assertEquals("a cat", parts.get(1).getText());
  }

  @Test
  void emptyItemIsInvalid() {
    assertRefused(Status.Code.INVALID_ARGUMENT, "ITEM_EMPTY", item());
  }

  @Test
  void tooManyPartsIsResourceExhausted() {
    Part[] parts = new Part[5];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = text("", "part " + i);
    }
    ScreeningException e = assertThrows(ScreeningException.class, () -> ItemValidator.validate(item(parts), 4));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
    assertEquals("ITEM_TOO_MANY_PARTS", e.reason());
    assertEquals("the item has 5 parts; at most 4 are allowed", e.getMessage());
    assertEquals(4, ItemValidator.validate(item(parts[0], parts[1], parts[2], parts[3]), 4).size());
  }

  @Test
  void partWithoutContentIsInvalid() {
    assertRefused(Status.Code.INVALID_ARGUMENT, "PART_EMPTY", item(text("a", "x"), Part.newBuilder().setId("b").build()));
    assertRefused(Status.Code.INVALID_ARGUMENT, "PART_EMPTY", item(text("a", "")));
    assertRefused(Status.Code.INVALID_ARGUMENT, "PART_EMPTY",
        item(Part.newBuilder().setAudio(ByteString.EMPTY).build()));
  }

  @Test
  void duplicatePartIdsAreInvalidAlsoAgainstGeneratedOnes() {
    assertRefused(Status.Code.INVALID_ARGUMENT, "PART_ID_DUPLICATE", item(text("x", "a"), text("x", "b")));
    // The second part has no id and would be named p1, which the first part already uses.
    assertRefused(Status.Code.INVALID_ARGUMENT, "PART_ID_DUPLICATE", item(text("p1", "a"), text("", "b")));
  }

  @Test
  void overlongIdsAreInvalid() {
    String longId = "x".repeat(ItemValidator.MAX_ID_LENGTH + 1);
    assertRefused(Status.Code.INVALID_ARGUMENT, "PART_ID_TOO_LONG", item(text(longId, "a")));
    assertRefused(Status.Code.INVALID_ARGUMENT, "ITEM_ID_TOO_LONG",
        item(text("a", "b")).toBuilder().setId(longId).build());
  }

  private static void assertRefused(Status.Code code, String reason, ScreenItemRequest request) {
    ScreeningException e = assertThrows(ScreeningException.class, () -> ItemValidator.validate(request, 16));
    assertEquals(code, e.code());
    assertEquals(reason, e.reason());
  }
}
