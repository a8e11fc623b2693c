package io.screenmesh.text.heads;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Labeled texts read from JSONL: {@code text}, {@code label} (1 attack, 0 benign), {@code category}
 * (which head an attack trains), and optionally {@code source} (the unit left out; the category
 * when absent, as in the shared {@code reference.jsonl}), {@code origin} and {@code license}.
 */
public final class LabeledData {

  /**
   * One labeled text.
   *
   * @param file the file it came from
   * @param line its line number there
   * @param text the text
   * @param label 1 attack, 0 benign
   * @param category the head an attack trains; null for benign texts
   * @param source the unit left out
   * @param origin where the row says it came from, empty when it does not
   * @param license the row's licence, empty when it gives none
   */
  public record Item(Path file, int line, String text, int label, HeadCategory category, String source,
      String origin, String license) {}

  private LabeledData() {}

  /**
   * Reads every non-blank line of {@code files}, in order.
   *
   * @throws IOException when a file cannot be read
   * @throws IllegalArgumentException for a line that is not such an object, naming file and line
   */
  public static List<Item> read(List<Path> files) throws IOException {
    List<Item> items = new ArrayList<>();
    for (Path f : files) {
      try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        String line;
        int no = 0;
        while ((line = in.readLine()) != null) {
          no++;
          if (!line.isBlank()) {
            items.add(parse(f, no, line));
          }
        }
      }
    }
    return items;
  }

  private static Item parse(Path f, int no, String line) {
    JsonObject o;
    try {
      o = JsonParser.parseString(line).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IllegalArgumentException(f + ":" + no + ": not a JSON object");
    }
    if (!o.has("text") || !o.has("label")) {
      throw new IllegalArgumentException(f + ":" + no + ": needs fields text and label");
    }
    int label = o.get("label").getAsInt();
    if (label != 0 && label != 1) {
      throw new IllegalArgumentException(f + ":" + no + ": label must be 1 (attack) or 0 (benign), got " + label);
    }
    String category = str(o, "category");
    HeadCategory head = null;
    if (label == 1) {
      head = HeadCategory.ofDataCategory(category);
      if (head == null) {
        throw new IllegalArgumentException(f + ":" + no + ": an attack needs a category that names a head "
            + "(one containing 'injection', 'jailbreak' or 'harmful'), got '" + category + "'");
      }
    }
    String source = str(o, "source");
    if (source.isEmpty()) {
      source = category.isEmpty() ? "all" : category;
    }
    return new Item(f, no, o.get("text").getAsString(), label, head, source, str(o, "origin"), str(o, "license"));
  }

  private static String str(JsonObject o, String name) {
    return o.has(name) && !o.get(name).isJsonNull() ? o.get(name).getAsString() : "";
  }
}
