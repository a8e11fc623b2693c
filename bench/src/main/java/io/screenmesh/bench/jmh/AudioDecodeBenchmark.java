package io.screenmesh.bench.jmh;

import io.screenmesh.audio.AudioDecoders;
import io.screenmesh.audio.AudioLimits;
import io.screenmesh.audio.DecodedAudio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * audio-screening's decode stage per format: the same spoken clip (16 kHz mono, about 2.1 s) as
 * WAV, FLAC, Ogg Vorbis, Ogg Opus (decoded at 48 kHz) and MP3, from the service's test fixtures,
 * through {@link AudioDecoders} with the default limits (header checks included). Audio seconds
 * decoded per second = ops/s × the clip's duration, which {@link #setUp} prints.
 *
 * <p>Parameter {@code dir}: the fixtures' folder, relative to the repository root by default.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AudioDecodeBenchmark {

    /** The fixture to decode. */
    @Param({"speech.wav", "speech.flac", "speech.ogg", "speech.opus", "speech.mp3"})
    public String clip;

    /** Where the fixtures are. */
    @Param({"services/audio-screening/src/test/resources/formats"})
    public String dir;

    private byte[] data;
    private AudioDecoders decoders;

    /** Reads the clip and checks that it decodes. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        data = Files.readAllBytes(Path.of(dir, clip));
        decoders = new AudioDecoders(AudioLimits.DEFAULTS, AudioLimits.DEFAULTS.maxBytes() / 2);
        DecodedAudio a = decoders.decode(data);
        System.out.printf("%s: %d bytes, %.3f s at %d Hz%n", clip, data.length, a.seconds(), a.sampleRate());
    }

    /** Decodes the clip once. */
    @Benchmark
    public DecodedAudio decode() {
        return decoders.decode(data);
    }
}
