package io.screenmesh.fusion;

import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.services.common.ScreeningException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks an item before any modality service is called, and names its parts.
 *
 * <p>Rules, in this order: an item has at least one part ({@code INVALID_ARGUMENT
 * ITEM_EMPTY}) and at most {@code max-parts} ({@code RESOURCE_EXHAUSTED
 * ITEM_TOO_MANY_PARTS}); every part has content, and empty text or bytes count as none
 * ({@code INVALID_ARGUMENT PART_EMPTY}); a part without an id is named {@code p<index>}
 * (0-based position in the request); part ids, given or generated, are unique
 * ({@code INVALID_ARGUMENT PART_ID_DUPLICATE}) and at most {@value #MAX_ID_LENGTH}
 * characters ({@code INVALID_ARGUMENT PART_ID_TOO_LONG}); so is the item's id
 * ({@code INVALID_ARGUMENT ITEM_ID_TOO_LONG}, checked first).
 *
 * <p>A part over its modality service's size limit does not fail the item: {@link
 * #oversize} names it, and the part is answered REJECTED with the service's own reason
 * ({@code TEXT_TOO_LARGE}, {@code IMAGE_TOO_LARGE}, {@code AUDIO_TOO_LARGE}) without being
 * sent, as if the service had refused it.
 */
public final class ItemValidator {

  /** The longest part id accepted: ids are echoed in every finding and logged. */
  public static final int MAX_ID_LENGTH = 128;

  private ItemValidator() {}

  /**
   * Validates {@code request} and returns its parts with every id set.
   *
   * @param request the item
   * @param maxParts the most parts allowed
   * @return the parts in the request's order, ids filled in
   * @throws ScreeningException with the status and reason of the first rule broken
   */
  public static List<Part> validate(ScreenItemRequest request, int maxParts) {
    if (request.getId().length() > MAX_ID_LENGTH) {
      throw ScreeningException.invalid("ITEM_ID_TOO_LONG",
          "the item id has " + request.getId().length() + " characters; at most " + MAX_ID_LENGTH + " are allowed");
    }
    int n = request.getPartsCount();
    if (n == 0) {
      throw ScreeningException.invalid("ITEM_EMPTY", "the item has no parts");
    }
    if (n > maxParts) {
      throw ScreeningException.tooLarge("ITEM_TOO_MANY_PARTS",
          "the item has " + n + " parts; at most " + maxParts + " are allowed");
    }
    List<Part> parts = new ArrayList<>(n);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < n; i++) {
      Part p = request.getParts(i);
      if (!hasContent(p)) {
        throw ScreeningException.invalid("PART_EMPTY", "part " + i + " has no content (text, image or audio)");
      }
      String id = p.getId().isEmpty() ? "p" + i : p.getId();
      if (id.length() > MAX_ID_LENGTH) {
        throw ScreeningException.invalid("PART_ID_TOO_LONG",
            "the id of part " + i + " has " + id.length() + " characters; at most " + MAX_ID_LENGTH + " are allowed");
      }
      if (!ids.add(id)) {
        throw ScreeningException.invalid("PART_ID_DUPLICATE", "part id '" + id + "' is used twice"
            + " (parts without an id are named p<index>)");
      }
      parts.add(p.getId().equals(id) ? p : p.toBuilder().setId(id).build());
    }
    return parts;
  }

  /**
   * Why {@code part} is over its modality service's limit, or null when it is within it.
   * Checked before sending because a message over a service's transport cap is refused by
   * the transport with a bare RESOURCE_EXHAUSTED that says nothing about the part.
   *
   * @param part a part with content
   * @param limits the modality services' limits
   * @return a RESOURCE_EXHAUSTED exception with the service's reason, or null
   */
  public static ScreeningException oversize(Part part, FusionSettings.PartLimits limits) {
    return switch (part.getContentCase()) {
      case TEXT -> part.getText().length() > limits.textChars()
          ? tooLarge("TEXT_TOO_LARGE", "text", part.getText().length(), "characters", limits.textChars()) : null;
      case IMAGE -> part.getImage().size() > limits.imageBytes()
          ? tooLarge("IMAGE_TOO_LARGE", "image", part.getImage().size(), "bytes", limits.imageBytes()) : null;
      case AUDIO -> part.getAudio().size() > limits.audioBytes()
          ? tooLarge("AUDIO_TOO_LARGE", "audio clip", part.getAudio().size(), "bytes", limits.audioBytes()) : null;
      case CONTENT_NOT_SET -> null;
    };
  }

  private static ScreeningException tooLarge(String reason, String what, int size, String unit, int limit) {
    return ScreeningException.tooLarge(reason,
        "the " + what + " has " + size + " " + unit + "; at most " + limit + " are accepted");
  }

  private static boolean hasContent(Part p) {
    return switch (p.getContentCase()) {
      case TEXT -> !p.getText().isEmpty();
      case IMAGE -> !p.getImage().isEmpty();
      case AUDIO -> !p.getAudio().isEmpty();
      case CONTENT_NOT_SET -> false;
    };
  }
}
