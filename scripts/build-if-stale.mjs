#!/usr/bin/env node
/**
 * `npm start`'s prestart: compiles TypeScript only when the built code is older than what it is
 * built from (src/, the tsconfigs, package.json), so a restart after a crash starts at once
 * instead of spending 10–15 s recompiling. `--check` only prints `current` or `stale` (the tests).
 * Plain JavaScript: it runs before anything is built.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const BUILT = join(root, 'dist', 'src', 'main.js');
const INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** The newest modification time among `src/**` and the build's settings, in ms. */
function newestInput() {
  let newest = 0;
  for (const file of INPUTS) newest = Math.max(newest, mtime(join(root, file)));
  // Directories too: a directory's own time changes when a file in it is deleted or renamed.
  for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
    newest = Math.max(newest, mtime(join(entry.parentPath, entry.name)));
  }
  return Math.max(newest, mtime(join(root, 'src')));
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

const built = mtime(BUILT);
const stale = built === 0 || newestInput() > built;
if (process.argv.includes('--check')) {
  process.stdout.write(stale ? 'stale\n' : 'current\n');
} else if (stale) {
  process.stderr.write('the built code is older than src/: compiling (npm run build)\n');
  const run = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
}
