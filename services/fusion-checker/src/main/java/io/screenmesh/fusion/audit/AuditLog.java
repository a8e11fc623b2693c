package io.screenmesh.fusion.audit;

import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.ItemError;
import io.screenmesh.contract.AuditChain;
import io.screenmesh.contract.JsonText;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.services.common.GrpcErrors;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import org.jboss.logging.Logger;

/**
 * The front door's audit log: one hash-chained JSONL record per answered item (see
 * {@link AuditChain} for the chain and how it is verified), rotated by size.
 *
 * <p>A record names the principal, the time, the request's SHA-256, the policy, the decision
 * with its score, every finding (detector, category, severity, score, part) and every
 * detector that ran on each part with its version and outcome. It holds no caller content
 * unless configured ({@code screenmesh.audit.include-content}, text parts only).
 *
 * <p>Records are written and flushed one at a time under a lock, in the order the items were
 * answered, so the chain's order is the answering order. The chain survives restarts and
 * rotation: a new file starts from the last intact record of the old one.
 */
public final class AuditLog implements AuditSink, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(AuditLog.class);

  private final Path file;
  private final long maxFileBytes;
  private final boolean includeContent;
  private final Clock clock;
  private BufferedWriter out;
  private long size;
  private long firstSeqInFile;
  private long seq;
  private String prev;

  /**
   * Opens (or creates) the log and goes on with its chain.
   *
   * @param file the current log file; its directory is created when missing
   * @param maxFileBytes the size at which the file is rotated
   * @param includeContent whether records carry the text parts
   * @param clock the records' time source
   * @throws UncheckedIOException when the file cannot be opened for appending
   */
  public AuditLog(Path file, long maxFileBytes, boolean includeContent, Clock clock) {
    if (maxFileBytes < 4096) {
      throw new IllegalArgumentException("screenmesh.audit.max-file-bytes must be at least 4096, was " + maxFileBytes);
    }
    this.file = file.toAbsolutePath();
    this.maxFileBytes = maxFileBytes;
    this.includeContent = includeContent;
    this.clock = clock;
    try {
      Files.createDirectories(this.file.getParent());
      AuditChain.Sealed last = Files.exists(this.file) ? AuditChain.lastRecord(this.file) : null;
      if (last == null) {
        last = lastOfRotated();
      }
      seq = last == null ? 0 : last.seq();
      prev = last == null ? AuditChain.GENESIS : last.hash();
      endWithNewline();
      out = Files.newBufferedWriter(this.file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      size = Files.size(this.file);
      firstSeqInFile = seq + 1;
      LOG.infof("audit log %s: continuing the chain after seq %d", this.file, seq);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the audit log " + this.file, e);
    }
  }

  @Override
  public void screened(String principal, ScreenItemRequest request, ScreenItemResponse response) {
    StringBuilder f = common(principal, request);
    f.append(",\"policy\":").append(JsonText.quote(response.getPolicy()));
    f.append(",\"decision\":").append(JsonText.quote(response.getVerdict().getDecision().name()));
    f.append(",\"score\":").append(response.getVerdict().getScore());
    f.append(",\"findings\":[");
    boolean first = true;
    for (PartResult p : response.getPartsList()) {
      for (Finding x : p.getFindingsList()) {
        f.append(first ? "" : ",").append("{\"part\":").append(JsonText.quote(p.getPartId()))
            .append(",\"detector\":").append(JsonText.quote(x.getDetector()))
            .append(",\"category\":").append(JsonText.quote(x.getCategory().name()))
            .append(",\"severity\":").append(JsonText.quote(x.getSeverity().name()))
            .append(",\"score\":").append(x.getScore()).append('}');
        first = false;
      }
    }
    f.append("],\"parts\":[");
    first = true;
    for (PartResult p : response.getPartsList()) {
      f.append(first ? "" : ",").append("{\"part\":").append(JsonText.quote(p.getPartId()))
          .append(",\"modality\":").append(JsonText.quote(p.getModality().name()))
          .append(",\"outcome\":").append(JsonText.quote(p.getOutcome().name()));
      if (p.hasError()) {
        f.append(",\"error\":").append(error(p.getError()));
      }
      f.append(",\"detectors\":[");
      boolean firstRun = true;
      for (DetectorRun r : p.getProcessing().getDetectorsList()) {
        f.append(firstRun ? "" : ",").append("{\"id\":").append(JsonText.quote(r.getDetector()))
            .append(",\"version\":").append(JsonText.quote(r.getVersion()))
            .append(",\"outcome\":").append(JsonText.quote(r.getOutcome().name())).append('}');
        firstRun = false;
      }
      f.append("]}");
      first = false;
    }
    f.append(']');
    append(f.toString());
  }

  @Override
  public void refused(String principal, ScreenItemRequest request, Throwable error) {
    StringBuilder f = common(principal, request);
    f.append(",\"policy\":").append(JsonText.quote(request.getPolicy()));
    f.append(",\"decision\":\"REFUSED\",\"error\":").append(error(GrpcErrors.toItemError(error)));
    append(f.toString());
  }

  /** The sequence number and hash of the last record written: the head to keep elsewhere. */
  public synchronized AuditChain.Sealed head() {
    return new AuditChain.Sealed(seq, prev, "");
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
      LOG.infof("audit log %s closed at seq %d hash %s", file, seq, prev);
    } catch (IOException e) {
      LOG.errorf(e, "audit log %s: closing failed at seq %d", file, seq);
    }
  }

  private StringBuilder common(String principal, ScreenItemRequest request) {
    StringBuilder f = new StringBuilder(512);
    f.append("\"time\":").append(JsonText.quote(clock.instant().toString()));
    f.append(",\"principal\":").append(JsonText.quote(principal));
    f.append(",\"item\":").append(JsonText.quote(request.getId()));
    f.append(",\"request_sha256\":").append(JsonText.quote(sha256(request.toByteArray())));
    if (includeContent) {
      f.append(",\"text\":[");
      boolean first = true;
      for (Part p : request.getPartsList()) {
        if (p.hasText()) {
          f.append(first ? "" : ",").append(JsonText.quote(p.getText()));
          first = false;
        }
      }
      f.append(']');
    }
    return f;
  }

  private static String error(ItemError e) {
    return "{\"code\":" + e.getCode() + ",\"reason\":" + JsonText.quote(e.getReason()) + "}";
  }

  private synchronized void append(String fields) {
    AuditChain.Sealed sealed = AuditChain.seal(seq + 1, prev, fields);
    byte[] line = (sealed.line() + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      if (size > 0 && size + line.length > maxFileBytes) {
        rotate();
      }
      out.write(sealed.line());
      out.write('\n');
      out.flush();
      size += line.length;
      seq = sealed.seq();
      prev = sealed.hash();
    } catch (IOException e) {
      // An item is never answered without its record: the caller sees an internal error.
      throw new UncheckedIOException("the audit log " + file + " could not be written", e);
    }
  }

  private void rotate() throws IOException {
    out.close();
    Path rotated = file.resolveSibling(file.getFileName() + "." + firstSeqInFile + "-" + seq);
    Files.move(file, rotated, StandardCopyOption.ATOMIC_MOVE);
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    size = 0;
    firstSeqInFile = seq + 1;
    LOG.infof("audit log rotated to %s; head seq %d hash %s", rotated, seq, prev);
  }

  /** The last record of the rotated files beside the current one, when the current one has none. */
  private AuditChain.Sealed lastOfRotated() throws IOException {
    AuditChain.Sealed best = null;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(file.getParent(), file.getFileName() + ".*-*")) {
      for (Path p : ds) {
        AuditChain.Sealed s = AuditChain.lastRecord(p);
        if (s != null && (best == null || s.seq() > best.seq())) {
          best = s;
        }
      }
    }
    return best;
  }

  /** A line cut short by a crash must not swallow the next record: close it first. */
  private void endWithNewline() throws IOException {
    if (!Files.exists(file) || Files.size(file) == 0) {
      return;
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(raf.length() - 1);
      if (raf.read() != '\n') {
        raf.seek(raf.length());
        raf.write('\n');
      }
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
