package io.screenmesh.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.screenmesh.services.common.ScreeningException;
import java.util.Arrays;
import org.jflac.FLACDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The end-of-input guard alone, without the frame guard in front of it: jFLAC's retry loop at the
 * end of a stream is ended by the input refusing to be read past its end again and again.
 */
class FlacEndGuardTest {

  // Guards against the loop, not a timing assertion: without the guard this never returns.
  @Test
  @Timeout(60)
  void jflacRetryingAtTheEndIsRefusedByItsInput() throws Exception {
    byte[] valid = Fixtures.load("speech.flac");
    // fLaC, STREAMINFO marked last with no declared length, then a sync code jFLAC's header check
    // rejects without reading (0xFB sets the reserved bit).
    byte[] stream = Arrays.copyOf(valid, 4 + 4 + 34 + 2);
    stream[4] = (byte) 0x80;
    stream[21] &= (byte) 0xF0;
    Arrays.fill(stream, 22, 26, (byte) 0);
    stream[42] = (byte) 0xFF;
    stream[43] = (byte) 0xFB;
    FLACDecoder decoder = new FLACDecoder(new FlacDecoder.EndGuard(stream));
    decoder.readMetadata();
    ScreeningException e = assertThrows(ScreeningException.class, decoder::readNextFrame);
    assertEquals(SafeWavDecoder.MALFORMED, e.reason(), e.getMessage());
  }

  @Test
  void aValidClipIsReadToItsEnd() throws Exception {
    byte[] valid = Fixtures.load("speech.flac");
    FLACDecoder decoder = new FLACDecoder(new FlacDecoder.EndGuard(valid));
    decoder.readMetadata();
    long samples = 0;
    while (decoder.readNextFrame() != null) {
      samples = decoder.getSamplesDecoded();
    }
    assertEquals(0, decoder.getBadFrames());
    assertEquals(decoder.getStreamInfo().getTotalSamples(), samples);
  }
}
