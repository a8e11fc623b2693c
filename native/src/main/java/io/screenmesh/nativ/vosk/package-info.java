/**
 * FFM bindings to Vosk's C API ({@code libvosk.so}, Kaldi speech recognition): a model loaded
 * once ({@link io.screenmesh.nativ.vosk.VoskModel}), recognizers per utterance
 * ({@link io.screenmesh.nativ.vosk.VoskRecognizer}) and their JSON results with word times
 * ({@link io.screenmesh.nativ.vosk.VoskResult}). The library is the one shipped in the Maven
 * artifact {@code com.alphacephei:vosk}, bundled by the build as
 * {@code /native/linux-x86_64/libvosk.so} and found by {@link io.screenmesh.nativ.NativeLoader}.
 */
package io.screenmesh.nativ.vosk;
