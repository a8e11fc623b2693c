package io.screenmesh.contract;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit log's chain: how the front door seals each JSONL record and how anyone holding the
 * files checks that none was edited, dropped or reordered.
 *
 * <p>Every line is one JSON object that starts with its sequence number and the previous
 * record's hash and ends with its own:
 *
 * <pre>{"seq":7,"prev":"&lt;64 hex&gt;", ...fields... ,"hash":"&lt;64 hex&gt;"}</pre>
 *
 * <p>{@code hash} is the SHA-256 of the line's UTF-8 bytes up to (not including)
 * {@code ,"hash"}, closed by {@code "}"}. Since that text holds {@code prev}, each hash covers
 * every record before it: changing any byte of any line breaks the chain from there on.
 * Sequence numbers start at 1 with {@link #GENESIS} as {@code prev} and go on across rotated
 * files and restarts, so a verifier tells a dropped line (a gap), a reordered one (a step back)
 * and an edited one (a hash that does not match its text) apart.
 *
 * <p>A chain cannot show that lines were cut off its end: keep the latest {@code seq} and
 * {@code hash} somewhere else (the service logs them at each rotation and at shutdown) and
 * compare.
 */
public final class AuditChain {

    /** The {@code prev} of record 1. */
    public static final String GENESIS = "0".repeat(64);

    private static final Pattern HEAD = Pattern.compile("^\\{\"seq\":(\\d{1,18}),\"prev\":\"([0-9a-f]{64})\",");
    private static final Pattern TAIL = Pattern.compile(",\"hash\":\"([0-9a-f]{64})\"}$");

    private AuditChain() {}

    /**
     * Seals a record.
     *
     * @param seq the record's sequence number, one more than the previous record's
     * @param prev the previous record's hash, or {@link #GENESIS} for record 1
     * @param fields the record's other fields as JSON members without the braces, such as
     *     {@code "time":"...","decision":"BLOCK"}; empty for none
     * @return the line, without a line break
     */
    public static Sealed seal(long seq, String prev, String fields) {
        String body = "{\"seq\":" + seq + ",\"prev\":\"" + prev + "\"" + (fields.isEmpty() ? "" : "," + fields);
        String hash = sha256(body + "}");
        return new Sealed(seq, hash, body + ",\"hash\":\"" + hash + "\"}");
    }

    /**
     * A sealed record.
     *
     * @param seq its sequence number
     * @param hash its hash, the next record's {@code prev}
     * @param line the line to write
     */
    public record Sealed(long seq, String hash, String line) {}

    /**
     * Reads the last intact record of a log file, so a writer can go on with the chain.
     *
     * @return the last record whose own hash checks out, or null when there is none
     */
    public static Sealed lastRecord(Path file) throws IOException {
        Sealed last = null;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                Parsed p = parse(line);
                if (p != null && p.intact()) {
                    last = new Sealed(p.seq(), p.hash(), line);
                }
            }
        }
        return last;
    }

    /**
     * Checks log files as one chain. The files may be given in any order; they are put in order
     * by the sequence number of their first record (rotation keeps records in order within and
     * across files).
     *
     * @param files the current file and any rotated ones
     * @return what was found; {@link Report#ok()} when the chain is whole from record 1
     */
    public static Report verify(List<Path> files) throws IOException {
        List<FileRecords> ordered = new ArrayList<>();
        for (Path f : files) {
            ordered.add(FileRecords.read(f));
        }
        ordered.sort(Comparator.comparingLong(FileRecords::firstSeq));
        Set<Long> present = new HashSet<>();
        for (FileRecords fr : ordered) {
            for (String line : fr.lines()) {
                Matcher m = HEAD.matcher(line);
                if (m.find()) {
                    present.add(Long.parseLong(m.group(1)));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        long expectSeq = 1;
        String expectPrev = GENESIS;
        long records = 0;
        for (FileRecords fr : ordered) {
            int lineNo = 0;
            for (String line : fr.lines()) {
                lineNo++;
                String where = fr.file() + ":" + lineNo;
                if (line.isEmpty()) {
                    problems.add(where + ": empty line");
                    continue;
                }
                Parsed p = parse(line);
                if (p == null) {
                    problems.add(where + ": not an audit record (no seq/prev/hash framing): edited or truncated");
                    continue;
                }
                records++;
                if (!p.intact()) {
                    problems.add(where + " (seq " + p.seq() + "): edited: its hash does not match its content");
                } else if (p.seq() > expectSeq) {
                    problems.add(where + " (seq " + p.seq() + "): " + gap(expectSeq, p.seq() - 1)
                        + (present.contains(expectSeq) ? " come later in the log (reordered)" : " missing (dropped)"));
                } else if (p.seq() < expectSeq) {
                    problems.add(where + " (seq " + p.seq() + "): out of order: expected seq " + expectSeq
                        + " (reordered or repeated)");
                } else if (!p.prev().equals(expectPrev)) {
                    problems.add(where + " (seq " + p.seq() + "): chains to a record other than the one before it"
                        + " (that one was edited and re-hashed, or replaced)");
                }
                expectSeq = Math.max(expectSeq, p.seq() + 1);
                expectPrev = p.hash();
            }
        }
        return new Report(records, expectSeq - 1, expectPrev, List.copyOf(problems));
    }

    /**
     * The outcome of {@link #verify}.
     *
     * @param records the records read
     * @param lastSeq the highest sequence number seen
     * @param lastHash the hash of the last record read (compare with the head kept elsewhere)
     * @param problems one line per problem, naming the file, line and sequence number
     */
    public record Report(long records, long lastSeq, String lastHash, List<String> problems) {

        /** True when every record is intact and in order from record 1. */
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private static String gap(long from, long to) {
        return from == to ? "record " + from : "records " + from + ".." + to;
    }

    private record Parsed(long seq, String prev, String hash, boolean intact) {}

    private static Parsed parse(String line) {
        Matcher head = HEAD.matcher(line);
        Matcher tail = TAIL.matcher(line);
        if (!head.find() || !tail.find()) {
            return null;
        }
        String hash = tail.group(1);
        String body = line.substring(0, tail.start()) + "}";
        return new Parsed(Long.parseLong(head.group(1)), head.group(2), hash, sha256(body).equals(hash));
    }

    private record FileRecords(Path file, List<String> lines, long firstSeq) {

        static FileRecords read(Path file) throws IOException {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            long first = Long.MAX_VALUE;
            for (String l : lines) {
                Matcher m = HEAD.matcher(l);
                if (m.find()) {
                    first = Long.parseLong(m.group(1));
                    break;
                }
            }
            return new FileRecords(file, lines, first);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
