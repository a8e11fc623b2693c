package io.screenmesh.cli;

import io.screenmesh.contract.AuditChain;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code audit verify FILE-or-DIR...}: checks the front door's audit log as one chain and names
 * every edited, dropped or reordered record. A directory stands for the log files in it (the
 * current one and the rotated ones). Exit codes: 0 the chain is whole, 1 it is not, 2 usage.
 */
final class Audit {

  private Audit() {}

  static int run(List<String> args, PrintStream out) throws IOException {
    if (args.isEmpty() || !args.get(0).equals("verify") || args.size() < 2) {
      throw new IllegalArgumentException("usage: audit verify FILE-or-DIR...");
    }
    List<Path> files = new ArrayList<>();
    for (String a : args.subList(1, args.size())) {
      Path p = Path.of(a);
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(f -> f.getFileName().toString().contains(".jsonl") && Files.isRegularFile(f)).sorted().forEach(files::add);
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new IllegalArgumentException("no such file or directory: " + a);
      }
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no audit log files in " + args.subList(1, args.size()));
    }
    AuditChain.Report r = AuditChain.verify(files);
    for (String problem : r.problems()) {
      out.println("BROKEN " + problem);
    }
    out.printf("%s: %d records in %d file(s), last seq %d, last hash %s%n",
        r.ok() ? "OK" : "BROKEN (" + r.problems().size() + " problem(s))", r.records(), files.size(), r.lastSeq(), r.lastHash());
    out.println("(a chain cannot show lines cut off its end: compare the last seq and hash with the head the"
        + " front door logged at rotation or shutdown)");
    return r.ok() ? 0 : 1;
  }
}
