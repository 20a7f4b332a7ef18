// Generates the awkward inputs for bad-input.test.mjs: files that must fail with a clear message
// and unusual-but-valid files that must work. `node tests/e2e/make-bad-inputs.mjs DIR` writes
// them to DIR; the test calls makeInputs() with a temp dir.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'audio');

/** A WAV file: `channels` planar Float64 arrays → 16-bit PCM, or 32-bit float if `float`. */
export function wav(channels, rate, { float = false } = {}) {
  const nch = channels.length;
  const n = channels[0].length;
  const bytesPer = float ? 4 : 2;
  const dataSize = n * nch * bytesPer;
  const b = Buffer.alloc(44 + dataSize);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + dataSize, 4);
  b.write('WAVE', 8, 'latin1');
  b.write('fmt ', 12, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(float ? 3 : 1, 20);
  b.writeUInt16LE(nch, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * nch * bytesPer, 28);
  b.writeUInt16LE(nch * bytesPer, 32);
  b.writeUInt16LE(bytesPer * 8, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(dataSize, 40);
  let off = 44;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nch; c++) {
      const v = channels[c][i];
      if (float) b.writeFloatLE(v, off);
      else b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), off);
      off += bytesPer;
    }
  }
  return b;
}

const tone = (n, rate, hz, amp = 0.5) => Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

/** Deterministic pseudo-random bytes (xorshift32). */
function noiseBytes(n, seed = 0x9e3779b9) {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  // Make sure it cannot look like an MP3 frame sync or ID3 tag by accident.
  for (let i = 0; i + 1 < n; i++) if (b[i] === 0xff && (b[i + 1] & 0xe0) === 0xe0) b[i + 1] &= 0x1f;
  b[0] = 0x00;
  return b;
}

/**
 * Writes the inputs to `dir`; returns [{ name, file, valid, what }]. `valid` inputs must work
 * (no error, a duration and frames shown); `false` ones must show an error naming the file;
 * `null` ones may do either (damaged files whose readable part decodes), but never hang or crash.
 */
export function makeInputs(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const nanSignal = tone(22050, 22050, 440);
  nanSignal[1000] = NaN;
  nanSignal[2000] = NaN;
  nanSignal[3000] = Infinity;
  const good = wav([tone(44100, 44100, 440)], 44100);
  const flac = fs.readFileSync(path.join(FIXTURES, 'ambi_choir.flac'));
  const ogg = fs.readFileSync(path.join(FIXTURES, 'dong01.ogg'));
  // A header that claims ~2 GB of samples in front of one second of them.
  const liar = wav([tone(44100, 44100, 440)], 44100);
  liar.writeUInt32LE(0x7fff_fff0, 40);
  liar.writeUInt32LE(0x7fff_fff0 + 36, 4);
  const cases = [
    { name: 'empty.wav', bytes: Buffer.alloc(0), valid: false, what: 'an empty file' },
    {
      name: 'notes.wav',
      bytes: Buffer.from('These are my meeting notes, not a sound.\n'.repeat(20)),
      valid: false,
      what: 'a text file named .wav',
    },
    { name: 'truncated.wav', bytes: good.subarray(0, 30), valid: false, what: 'a WAV cut inside its header' },
    { name: 'noise.mp3', bytes: noiseBytes(8192), valid: false, what: 'random bytes named .mp3' },
    { name: 'nan.wav', bytes: wav([nanSignal], 22050, { float: true }), valid: false, what: 'a float WAV containing NaN and Inf' },
    { name: 'silence.wav', bytes: wav([new Float64Array(44100)], 44100), valid: true, what: 'all zeros' },
    { name: 'one-sample.wav', bytes: wav([Float64Array.of(0.25)], 44100), valid: true, what: 'a single sample' },
    {
      name: 'eight-channels.wav',
      bytes: wav(Array.from({ length: 8 }, (_, c) => tone(24000, 48000, 220 * (c + 1), 0.1)), 48000),
      valid: true,
      what: '8 channels',
    },
    { name: 'hires-192k.wav', bytes: wav([tone(96000, 192000, 1000)], 192000), valid: true, what: '192 kHz' },
    { name: 'no-samples.wav', bytes: wav([new Float64Array(0)], 44100), valid: false, what: 'a WAV header with 0 samples' },
    { name: 'short-551.wav', bytes: wav([tone(551, 22050, 440)], 22050), valid: true, what: '551 samples' },
    { name: 'phone-8k.wav', bytes: wav([tone(16000, 8000, 440)], 8000), valid: true, what: '8 kHz' },
    {
      name: 'dc-offset.wav',
      bytes: wav([tone(22050, 22050, 440, 0.2).map((v) => v + 0.6)], 22050),
      valid: true,
      what: 'a large DC offset',
    },
    {
      name: 'clipped.wav',
      bytes: wav([tone(22050, 22050, 440, 4)], 22050),
      valid: true,
      what: 'a tone clipped hard at full scale',
    },
    { name: 'choir-named.wav', bytes: flac, valid: true, what: 'a FLAC file named .wav (decoded by content)' },
    { name: 'truncated.flac', bytes: flac.subarray(0, 60), valid: false, what: 'a FLAC cut inside its header' },
    {
      name: 'corrupt.flac',
      bytes: Buffer.concat([flac.subarray(0, 8192), noiseBytes(16384, 7)]),
      valid: null,
      what: 'a FLAC whose frames turn to noise after 8 KB',
    },
    { name: 'truncated.ogg', bytes: ogg.subarray(0, 100), valid: false, what: 'an Ogg cut inside its first page' },
    { name: 'liar-2gb.wav', bytes: liar, valid: null, what: 'a WAV header claiming 2 GB in front of 1 s of samples' },
  ];
  return cases.map(({ name, bytes, valid, what }) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return { name, file, valid, what };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? 'bad-inputs';
  for (const c of makeInputs(dir)) console.log(`${c.valid ? 'valid' : 'bad  '} ${c.file} (${c.what})`);
}
