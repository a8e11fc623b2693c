#!/usr/bin/env python3
"""Regenerates the fuzzing seed corpora, one folder per format, from the committed fixtures in
../formats (make-fixtures.sh) plus a few WAVs written here: each folder holds small valid clips
and malformed ones (cut short, bytes flipped, headers that claim ten hours or ten megahertz,
lengths that run past the end). Standard library only; deterministic."""
import os
import random
import struct
import wave
import io

HERE = os.path.dirname(os.path.abspath(__file__))
FORMATS = os.path.join(HERE, "..", "formats")
TEN_HOURS = 10 * 3600


def load(name):
    with open(os.path.join(FORMATS, name), "rb") as f:
        return bytearray(f.read())


def write(fmt, name, data):
    os.makedirs(os.path.join(HERE, fmt), exist_ok=True)
    with open(os.path.join(HERE, fmt, name), "wb") as f:
        f.write(bytes(data))


def flipped(data, count, seed):
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(count):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return out


def common(fmt, valid):
    write(fmt, "cut-half", valid[: len(valid) // 2])
    write(fmt, "cut-header", valid[:40])
    write(fmt, "magic-only", valid[:4])
    write(fmt, "flip-8", flipped(valid, 8, 1))
    write(fmt, "flip-64", flipped(valid, 64, 2))
    write(fmt, "zeroed-body", valid[: len(valid) // 4] + bytes(len(valid) - len(valid) // 4))


# --- WAV -------------------------------------------------------------------------------------
def wav(rate=16000, channels=1, seconds=0.1):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(int(rate * seconds) * channels * 2))
    return bytearray(buf.getvalue())


valid = wav()
write("wav", "valid-16k-mono", valid)
write("wav", "valid-48k-stereo", wav(48000, 2, 0.05))
common("wav", valid)
bomb = bytearray(valid)
struct.pack_into("<I", bomb, 24, 10_000_000)  # sample rate
write("wav", "rate-10mhz", bomb)
bomb = bytearray(valid)
struct.pack_into("<I", bomb, 40, 0xFFFFFFF0)  # data size past the end
write("wav", "data-past-end", bomb)

# --- FLAC ------------------------------------------------------------------------------------
valid = load("tones.flac")
write("flac", "valid-stereo", valid)
write("flac", "valid-tagged", load("tagged.flac"))
common("flac", valid)


def flac_total(data, total):
    out = bytearray(data)
    out[21] = (out[21] & 0xF0) | (total >> 32)
    struct.pack_into(">I", out, 22, total & 0xFFFFFFFF)
    return out


write("flac", "total-10h", flac_total(valid, TEN_HOURS * 44100))
write("flac", "total-unknown", flac_total(valid, 0))
out = bytearray(valid)
rate = 1_000_000
out[18], out[19], out[20] = rate >> 12 & 0xFF, rate >> 4 & 0xFF, (rate & 0xF) << 4 | (out[20] & 0xF)
write("flac", "rate-1mhz", out)
out = bytearray(valid)
out[5:8] = b"\xff\xff\xff"  # STREAMINFO length
write("flac", "block-past-end", out)

# --- Ogg (Vorbis and Opus) -------------------------------------------------------------------
CRC = []
for i in range(256):
    r = i << 24
    for _ in range(8):
        r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
    CRC.append(r & 0xFFFFFFFF)


def ogg_crc(page):
    r = 0
    for i, b in enumerate(page):
        b = 0 if 22 <= i < 26 else b
        r = ((r << 8) & 0xFFFFFFFF) ^ CRC[((r >> 24) ^ b) & 0xFF]
    return r


def page_length(d, p):
    n = d[p + 26]
    return 27 + n + sum(d[p + 27 : p + 27 + n])


def fix(d, p):
    struct.pack_into("<I", d, p + 22, ogg_crc(d[p : p + page_length(d, p)]))


def last_page(d):
    return d.rfind(b"OggS")


def ogg_seeds(fmt, valid, tagged, rate):
    write(fmt, "valid-stereo", valid)
    if tagged is not None:
        write(fmt, "valid-tagged", tagged)
    common(fmt, valid)
    out = bytearray(valid)
    struct.pack_into("<q", out, last_page(out) + 6, TEN_HOURS * rate)
    fix(out, last_page(out))
    write(fmt, "granule-10h", out)
    out = bytearray(valid)
    struct.pack_into("<I", out, 28 + 12, 10_000_000)
    fix(out, 0)
    write(fmt, "rate-10mhz", out)
    out = bytearray(valid)
    out[28 + (11 if fmt == "vorbis" else 9)] = 255  # channels
    fix(out, 0)
    write(fmt, "channels-255", out)
    write(fmt, "chained", valid + valid)
    out = bytearray(valid)
    struct.pack_into("<q", out, last_page(out) + 6, -1)
    fix(out, last_page(out))
    write(fmt, "granule-none", out)


ogg_seeds("vorbis", load("tones.ogg"), load("tagged.ogg"), 44100)


def packets_of_page(d, p):
    n = d[p + 26]
    at = p + 27 + n
    out, cur = [], bytearray()
    for lace in d[p + 27 : p + 27 + n]:
        cur += d[at : at + lace]
        at += lace
        if lace < 255:
            out.append(bytes(cur))
            cur = bytearray()
    return out


def page(template, packets):
    lacing = bytearray()
    for pk in packets:
        lacing += b"\xff" * (len(pk) // 255) + bytes([len(pk) % 255])
    out = bytearray(template[:26]) + bytes([len(lacing)]) + lacing + b"".join(packets)
    fix(out, 0)
    return out


def bits(fields):
    out, bit = bytearray(), 0
    for value, width in fields:
        for i in range(width):
            if bit // 8 >= len(out):
                out.append(0)
            out[bit // 8] |= ((value >> i) & 1) << (bit % 8)
            bit += 1
    return bytes(out)


# A setup header whose one codebook declares 2^24 - 1 entries in ordered form: 12 bytes that
# would have JOrbis allocate tables for 16 million entries.
valid = load("tones.ogg")
second = page_length(valid, 0)
comment = packets_of_page(valid, second)[0]
bomb_setup = b"\x05vorbis" + bits([(0, 8), (0x564342, 24), (1, 16), (0xFFFFFF, 24), (1, 1), (0, 5), (0xFFFFFF, 24), (0, 4)])
rest = second + page_length(valid, second)
write("vorbis", "codebook-16m", valid[:second] + page(valid[second:], [comment, bomb_setup]) + valid[rest:])
ogg_seeds("opus", load("tones.opus"), None, 48000)
write("opus", "valid-mono", load("speech.opus"))

# --- MP3 -------------------------------------------------------------------------------------
valid = load("tones.mp3")
write("mp3", "valid-stereo", valid)
write("mp3", "valid-id3v2", load("tagged.mp3"))
common("mp3", valid)
out = bytearray(valid)
info = max(out.find(b"Info"), out.find(b"Xing"))
out[info + 7] |= 1
struct.pack_into(">I", out, info + 8, TEN_HOURS * 44100 // 1152)
write("mp3", "xing-10h", out)
frame = bytes(valid[417:417 * 2]) if len(valid) > 834 else bytes(valid)
write("mp3", "frame-slices", frame * 8)
out = bytearray(load("tagged.mp3"))
out[6:10] = b"\x7f\x7f\x7f\x7f"  # ID3v2 size past the end
write("mp3", "id3-past-end", out)
write("mp3", "id3-only", b"ID3\x04\x00\x00\x00\x00\x00\x00")
