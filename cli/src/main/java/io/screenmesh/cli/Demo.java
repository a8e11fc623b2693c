package io.screenmesh.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Screens the bundled samples ({@code samples/demo.jsonl}: one item per line with
 * {@code id}, optional {@code text}, {@code image}, {@code audio} file names and the
 * {@code expect}ed verdict) through the front door and prints a verdict table.
 */
final class Demo {

  private Demo() {}

  static int run(FusionCheckerServiceGrpc.FusionCheckerServiceBlockingStub stub, Path samples, long deadlineMs,
      PrintStream out) throws IOException {
    Path list = samples.resolve("demo.jsonl");
    if (!Files.isRegularFile(list)) {
      throw new IOException("no sample list at " + list.toAbsolutePath());
    }
    List<Table.Row> rows = new ArrayList<>();
    List<String> surprises = new ArrayList<>();
    for (String line : Files.readAllLines(list)) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      String id = o.get("id").getAsString();
      ScreenItemRequest.Builder req = ScreenItemRequest.newBuilder().setId(id);
      if (o.has("text")) {
        req.addParts(Part.newBuilder().setId("text").setText(o.get("text").getAsString()));
      }
      if (o.has("image")) {
        req.addParts(Part.newBuilder().setId("image")
            .setImage(ByteString.copyFrom(Files.readAllBytes(samples.resolve(o.get("image").getAsString())))));
      }
      if (o.has("audio")) {
        req.addParts(Part.newBuilder().setId("audio")
            .setAudio(ByteString.copyFrom(Files.readAllBytes(samples.resolve(o.get("audio").getAsString())))));
      }
      long t0 = System.nanoTime();
      try {
        ScreenItemResponse r = stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).screenItem(req.build());
        rows.add(new Table.Row(id, Main.describe(req.build()), r, (System.nanoTime() - t0) / 1e6));
        String expect = o.has("expect") ? o.get("expect").getAsString() : null;
        if (expect != null && !expect.equals(Table.decision(r))) {
          surprises.add(id + ": expected " + expect + ", got " + Table.decision(r));
        }
      } catch (StatusRuntimeException e) {
        surprises.add(id + ": call failed with " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      }
    }
    Table.printItems(rows, out);
    out.println();
    if (surprises.isEmpty()) {
      out.println("All " + rows.size() + " samples got their expected verdict.");
      return 0;
    }
    out.println("Samples that did not get their expected verdict:");
    surprises.forEach(s -> out.println("  " + s));
    return 1;
  }
}
