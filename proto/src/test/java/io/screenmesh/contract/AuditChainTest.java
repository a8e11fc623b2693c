package io.screenmesh.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditChainTest {

    @TempDir
    Path dir;

    /** Writes records 1..n, {@code perFile} to a file, and returns the files in writing order. */
    private List<Path> write(int n, int perFile) throws IOException {
        List<Path> files = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        String prev = AuditChain.GENESIS;
        for (int seq = 1; seq <= n; seq++) {
            AuditChain.Sealed s = AuditChain.seal(seq, prev, "\"decision\":\"" + (seq % 3 == 0 ? "BLOCK" : "ALLOW") + "\"");
            prev = s.hash();
            lines.add(s.line());
            if (lines.size() == perFile || seq == n) {
                Path f = dir.resolve("audit-" + files.size() + ".jsonl");
                Files.write(f, lines, StandardCharsets.UTF_8);
                files.add(f);
                lines.clear();
            }
        }
        return files;
    }

    private static void edit(Path f, int lineIndex, java.util.function.UnaryOperator<String> change) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(f, StandardCharsets.UTF_8));
        lines.set(lineIndex, change.apply(lines.get(lineIndex)));
        Files.write(f, lines, StandardCharsets.UTF_8);
    }

    @Test
    void anIntactChainAcrossRotatedFilesVerifiesInAnyFileOrder() throws IOException {
        List<Path> files = write(10, 4);
        assertEquals(3, files.size());
        AuditChain.Report r = AuditChain.verify(List.of(files.get(2), files.get(0), files.get(1)));
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(10, r.records());
        assertEquals(10, r.lastSeq());
    }

    @Test
    void anEditedLineIsFoundWhereItIs() throws IOException {
        List<Path> files = write(6, 100);
        edit(files.get(0), 2, l -> l.replace("BLOCK", "ALLOW"));
        AuditChain.Report r = AuditChain.verify(files);
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).contains(":3 (seq 3): edited"), r.problems().toString());
    }

    @Test
    void anEditedAndReHashedLineBreaksTheNextLink() throws IOException {
        List<Path> files = write(6, 100);
        List<String> lines = Files.readAllLines(files.get(0), StandardCharsets.UTF_8);
        // The forger re-seals record 3 with other content, keeping its seq and prev.
        String prevOf3 = lines.get(1).substring(lines.get(1).length() - 66, lines.get(1).length() - 2);
        edit(files.get(0), 2, l -> AuditChain.seal(3, prevOf3, "\"decision\":\"ALLOW\"").line());
        AuditChain.Report r = AuditChain.verify(files);
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).contains("(seq 4): chains to a record other than the one before it"),
            r.problems().toString());
    }

    @Test
    void aDroppedLineIsNamed() throws IOException {
        List<Path> files = write(6, 100);
        List<String> lines = new ArrayList<>(Files.readAllLines(files.get(0), StandardCharsets.UTF_8));
        lines.remove(3);
        Files.write(files.get(0), lines, StandardCharsets.UTF_8);
        AuditChain.Report r = AuditChain.verify(files);
        assertFalse(r.ok());
        assertTrue(r.problems().get(0).contains("record 4 missing (dropped)"), r.problems().toString());
    }

    @Test
    void aDroppedFirstFileIsNamed() throws IOException {
        List<Path> files = write(9, 3);
        AuditChain.Report r = AuditChain.verify(files.subList(1, 3));
        assertFalse(r.ok());
        assertTrue(r.problems().get(0).contains("records 1..3 missing (dropped)"), r.problems().toString());
    }

    @Test
    void reorderedLinesAreNamedAsReordered() throws IOException {
        List<Path> files = write(6, 100);
        List<String> lines = new ArrayList<>(Files.readAllLines(files.get(0), StandardCharsets.UTF_8));
        String third = lines.remove(2);
        lines.add(4, third);
        Files.write(files.get(0), lines, StandardCharsets.UTF_8);
        AuditChain.Report r = AuditChain.verify(files);
        assertFalse(r.ok());
        assertTrue(r.problems().get(0).contains("record 3 come later in the log (reordered)"), r.problems().toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("(seq 3): out of order")), r.problems().toString());
    }

    @Test
    void aTruncatedLastLineIsReportedAndTheLastIntactRecordFound() throws IOException {
        List<Path> files = write(5, 100);
        edit(files.get(0), 4, l -> l.substring(0, l.length() / 2));
        AuditChain.Report r = AuditChain.verify(files);
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).contains(":5: not an audit record"), r.problems().toString());
        AuditChain.Sealed last = AuditChain.lastRecord(files.get(0));
        assertNotNull(last);
        assertEquals(4, last.seq());
    }
}
