// A copy of dist/ with another model swapped in: a folder's model.json (default
// crates/cli/eval/walnet, the aisfx CNN), an index of the corpus embedded by it (`earshot index`
// on the folder's features.bin), and the weights file its model names (`audio.weights`, if any)
// next to them, unless `weights` is false. Previews are linked, not copied, unless the copy gets
// its own service-worker build list (`postbuild`: scripts/postbuild.mjs run on it, as after a build).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIST, ROOT } from './server.mjs';

export const WALNET = path.join(ROOT, 'crates', 'cli', 'eval', 'walnet');
/** The MFCC model shipped before the student CNN, kept for comparison. */
export const MFCC = path.join(ROOT, 'crates', 'cli', 'eval', 'mfcc');

/** Builds the copy; resolves to its folder (remove it with `fs.rmSync(dir, {recursive: true})`). */
export function cnnDist({ model = WALNET, weights = true, postbuild = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-model-dist-'));
  const previews = path.join(DIST, 'pkg', 'previews');
  fs.cpSync(DIST, dir, { recursive: true, filter: (src) => postbuild || !src.startsWith(previews) });
  if (!postbuild) fs.symlinkSync(previews, path.join(dir, 'pkg', 'previews'));
  const json = path.join(model, 'model.json');
  fs.copyFileSync(json, path.join(dir, 'pkg', 'model.json'));
  execFileSync(
    'cargo',
    ['run', '-q', '-p', 'earshot-cli', '--', 'index', '--features', path.join(model, 'features.bin'), '--model', json, '--out', path.join(dir, 'pkg', 'index.bin')],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const file = JSON.parse(fs.readFileSync(json, 'utf8')).audio.weights;
  if (file && weights) fs.copyFileSync(path.join(model, file), path.join(dir, 'pkg', file));
  if (postbuild) execFileSync('node', [path.join(ROOT, 'scripts', 'postbuild.mjs'), dir], { stdio: 'ignore' });
  return dir;
}
