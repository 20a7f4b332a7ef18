// A copy of dist/ whose shipped model uses CNN features: crates/cli/eval/walnet/model.json, an
// index of the corpus embedded by it (`earshot index`), and the CNN's weights next to them
// (unless `weights` is false). Previews are linked, not copied, unless the copy gets its own
// service-worker build list (`postbuild`: scripts/postbuild.mjs run on it, as after a build).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIST, ROOT } from './server.mjs';

export const WALNET = path.join(ROOT, 'crates', 'cli', 'eval', 'walnet');

/** Builds the copy; resolves to its folder (remove it with `fs.rmSync(dir, {recursive: true})`). */
export function cnnDist({ weights = true, postbuild = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-cnn-dist-'));
  const previews = path.join(DIST, 'pkg', 'previews');
  fs.cpSync(DIST, dir, { recursive: true, filter: (src) => postbuild || !src.startsWith(previews) });
  if (!postbuild) fs.symlinkSync(previews, path.join(dir, 'pkg', 'previews'));
  fs.copyFileSync(path.join(WALNET, 'model.json'), path.join(dir, 'pkg', 'model.json'));
  execFileSync(
    'cargo',
    ['run', '-q', '-p', 'earshot-cli', '--', 'index', '--features', path.join(WALNET, 'features.bin'), '--model', path.join(WALNET, 'model.json'), '--out', path.join(dir, 'pkg', 'index.bin')],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (weights) fs.copyFileSync(path.join(ROOT, 'crates', 'core', 'weights', 'walnet.safetensors'), path.join(dir, 'pkg', 'walnet.safetensors'));
  if (postbuild) execFileSync('node', [path.join(ROOT, 'scripts', 'postbuild.mjs'), dir], { stdio: 'ignore' });
  return dir;
}
