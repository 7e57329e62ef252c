/** `npm start` compiles only when the built code is older than src/ or the build's settings. */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/requirements.js';

const SCRIPT = join(repoRoot, 'scripts', 'build-if-stale.mjs');
const check = (cwd: string) => execFileSync(process.execPath, [SCRIPT, '--check'], { cwd }).toString().trim();
const at = (path: string, seconds: number) => utimes(path, seconds, seconds);

describe('build-if-stale (npm start’s prestart)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyhouse-prestart-'));
    await mkdir(join(dir, 'src', 'core'), { recursive: true });
    await mkdir(join(dir, 'dist', 'src'), { recursive: true });
    for (const file of [
      'tsconfig.json',
      'tsconfig.build.json',
      'package.json',
      'src/main.ts',
      'src/core/a.ts',
    ]) {
      await writeFile(join(dir, file), '{}');
      await at(join(dir, file), 1_000);
    }
    for (const d of ['src', 'src/core']) await at(join(dir, d), 1_000);
    await writeFile(join(dir, 'dist/src/main.js'), '');
    await at(join(dir, 'dist/src/main.js'), 2_000);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('built code newer than every input: current (no compile)', () => {
    expect(check(dir)).toBe('current');
  });

  it('a source file changed since: stale', async () => {
    await at(join(dir, 'src/core/a.ts'), 3_000);
    expect(check(dir)).toBe('stale');
  });

  it('a source file deleted since (its directory changed): stale', async () => {
    await at(join(dir, 'src/core'), 3_000);
    expect(check(dir)).toBe('stale');
  });

  it('the build settings changed since: stale', async () => {
    await at(join(dir, 'tsconfig.build.json'), 3_000);
    expect(check(dir)).toBe('stale');
  });

  it('never built: stale', async () => {
    await rm(join(dir, 'dist'), { recursive: true });
    expect(check(dir)).toBe('stale');
  });

  it('is what npm start runs first, and npm start is still the command', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.prestart).toBe('node scripts/build-if-stale.mjs');
    expect(pkg.scripts.start).toContain('dist/src/main.js');
  });
});
