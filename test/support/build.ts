/**
 * `src/` compiled as `npm run build` makes `dist/`, but into a directory of the caller's, without
 * touching the checkout: for what must run from the built code (the audit CLI in the image) and
 * for the benchmark's `built` runtime.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from './requirements.js';

export interface Build {
  /** Where the tree went: `<out>/src/main.js` and so on. */
  out: string;
  /** tsc's exit status (it emits even with errors). */
  status: number | null;
  diagnostics: string;
  ms: number;
}

/** Compiles `src/` and any `extra` files (absolute paths) into `dir/build`. */
export function buildSource(dir: string, extra: readonly string[] = []): Build {
  const out = join(dir, 'build');
  const tsconfig = join(dir, 'tsconfig.build.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(repoRoot, 'tsconfig.build.json'),
      compilerOptions: {
        outDir: out,
        rootDir: repoRoot,
        typeRoots: [join(repoRoot, 'node_modules/@types')],
        incremental: false,
      },
      include: [join(repoRoot, 'src'), ...extra],
    }),
  );
  const started = performance.now();
  const tsc = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', tsconfig],
    {
      encoding: 'utf8',
    },
  );
  const ms = performance.now() - started;
  // The compiled tree resolves packages and its module type as dist/ does inside the checkout.
  mkdirSync(out, { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(out, 'node_modules'), 'dir');
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
  return { out, status: tsc.status, diagnostics: `${tsc.stdout}${tsc.stderr}`.trim(), ms };
}
