// Package audio is lesson 13 of dl4go: speech signals (音声認識) — how a sound becomes numbers a
// network can learn from.
//
// The report's steps, each measured:
//
//   - Sampling (標本化) keeps a signal's values at fs instants per second; a tone above the
//     Nyquist frequency fs/2 is indistinguishable from a lower one (Tone, AliasFrequency,
//     PeakFrequency: 7 kHz sampled at 8 kHz is a 1 kHz tone).
//   - Quantization (量子化) rounds each sample to one of 2^bits levels (Quantize); each bit is
//     ≈ 6.02 dB more signal-to-noise ratio (QuantizationSNR, SNR, Slope).
//   - Fourier transform: DFT written from its definition (N² operations) and the radix-2 FFT
//     (N log N), equal to 1e-12, timed; and the engine's own FFT op (GoMLX RealFFT on the dl4go
//     backend, EngineFFTDiff) against them. PowerSpectrumDB.
//   - Windows (窓関数): a tone between two bins leaks into all of them with a rectangular
//     window; a Hamming window tapers the frame's ends and the leakage falls by tens of dB.
//   - The spectrogram (STFT): frames, windowed, transformed — time across, frequency up,
//     amplitude as brightness; the inverse (ISTFT, weighted overlap-add) gives the signal back
//     to 1e-14.
//   - The mel scale (メル尺度: HzToMel, MelFilterBank, LogMel), the cepstrum (ケプストラム:
//     Cepstrum — the pitch appears as a peak at its period) and MFCCs (DCT of log mel energies).
//   - A small recogniser: the five Japanese vowels synthesised by a source-filter model for many
//     voices (Speakers, Synthesize: glottal pulses through formant resonators, with room noise),
//     MFCC features (MFCCFeatures), and an MLP that is scored on speakers it never heard, against
//     a nearest-centroid baseline.
//
// Run(Size()) does all of it; Outcome.Result is the RESULT line. Time on 2 cores: a few seconds
// at either size (the recogniser is checkpointed and restored).
package audio
