// The native criterion benchmarks' results (target/criterion, from
// `cargo bench -p earshot-core --features cnn --bench mfcc --bench model --bench topk --bench cnn`)
// as one table.
//
//   node tests/bench/native.mjs [--write]     (--write updates docs/benchmarks.md)
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../e2e/server.mjs';
import { writeSection, isMain } from './report.mjs';

/** criterion's median (and its 95 % interval) for `id` in ms, or null when not run. */
function estimate(id) {
  const f = path.join(ROOT, 'target', 'criterion', ...id.split('/'), 'new', 'estimates.json');
  if (!fs.existsSync(f)) return null;
  const m = JSON.parse(fs.readFileSync(f, 'utf8')).median;
  return { ms: m.point_estimate / 1e6, lo: m.confidence_interval.lower_bound / 1e6, hi: m.confidence_interval.upper_bound / 1e6 };
}

const fmt = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : v >= 10 ? `${v.toFixed(1)} ms` : v >= 0.1 ? `${v.toFixed(2)} ms` : `${(v * 1000).toFixed(1)} µs`);
const cell = (e) => (e ? fmt(e.ms) : 'not run');

export function table() {
  const rows = ['| benchmark | median | per item / notes |', '|---|---|---|'];
  const front = [
    ['front_end_30s/mfcc_22050', 'MFCC alone (100 coefficients, 128 mel bands) of a 30 s clip at 22 050 Hz'],
    ['front_end_30s/mfcc_deltas_clip_vector_22050', 'MFCC + Δ + ΔΔ + clip vector, 30 s'],
    ['front_end_30s/mel_db_22050', 'log-mel spectrogram, 30 s'],
    ['front_end_30s/resample_44100_to_22050', 'resampling 30 s from 44 100 Hz'],
    ['front_end_30s/prepare_stereo_44100_then_clip_vector', 'stereo 44.1 kHz 30 s: mix-down, resampling, whole pipeline'],
  ];
  for (const [id, what] of front) {
    const e = estimate(id);
    rows.push(`| ${what} | ${cell(e)} | ${e ? `${Math.round(30_000 / e.ms)}× real time` : ''} |`);
  }
  const mfcc = estimate('query_10s_stereo_44100/mfcc_clip_vector');
  for (const [id, what] of [
    ['query_10s_stereo_44100/mfcc_clip_vector', 'a 10 s stereo 44.1 kHz query: MFCC clip vector (mix-down, resampling, MFCC + Δ + ΔΔ)'],
    ['query_10s_stereo_44100/student_clip_embedding', 'the same query: student CNN clip embedding (mix-down, log-mel, every block, mean)'],
    ['query_10s_stereo_44100/teacher_clip_embedding', 'the same query: aisfx teacher CNN clip embedding'],
  ]) {
    const e = estimate(id);
    rows.push(`| ${what} | ${cell(e)} | ${e && mfcc ? `${(e.ms / mfcc.ms).toFixed(1)}× the MFCC path` : ''} |`);
  }
  const student = estimate('one_block/student');
  for (const [id, what] of [
    ['one_block/student', 'one 2.3 s log-mel block through the student network (84 M multiply-adds)'],
    ['one_block/teacher', 'one block through the teacher network (1.93 G multiply-adds)'],
  ]) {
    const e = estimate(id);
    rows.push(`| ${what} | ${cell(e)} | ${e && student ? `${(e.ms / student.ms).toFixed(1)}× the student` : ''} |`);
  }
  for (const branch of ['audio', 'text']) {
    for (const n of [1, 1000]) {
      const e = estimate(`model_forward/${branch}/${n}`);
      rows.push(`| model forward (shipped \`pkg/model.json\`), ${branch} branch, ${n.toLocaleString('en')} input${n > 1 ? 's' : ''} | ${cell(e)} | ${e && n > 1 ? `${fmt(e.ms / n)} per input` : ''} |`);
    }
  }
  for (const n of [10_000, 100_000, 1_000_000]) {
    const f = estimate(`top20_1024d/f32_exact/${n}`);
    const q = estimate(`top20_1024d/int8_rescored/${n}`);
    const label = n.toLocaleString('en');
    rows.push(`| top 20 of ${label} × 1024, exact f32 scan | ${cell(f)} | ${f ? `${((n * 4096) / (f.ms / 1000) / 1e9).toFixed(1)} GB/s of vectors` : ''} |`);
    rows.push(`| top 20 of ${label} × 1024, int8 scan + exact rescoring of 1,000 | ${cell(q)} | ${f && q ? `${(f.ms / q.ms).toFixed(1)}× the f32 scan` : ''} |`);
  }
  return rows.join('\n');
}

if (isMain(import.meta.url)) {
  const t = table();
  console.log(t);
  if (process.argv.includes('--write')) {
    writeSection(
      'native-bench',
      'Native (criterion)',
      '; `cargo bench` profile (opt-level 3, thin LTO); synthetic rows uniform in [−0.5, 0.5)',
      t,
      'natively',
      'scripts/bench',
    );
  }
}
