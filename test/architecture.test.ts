/**
 * Which folder of src/ may import which (README, "Layout"), checked on every `npm test` by
 * dependency-cruiser with the rules in `.dependency-cruiser.cjs`: everything imports downward from
 * `src/core`, nothing circles, and production code never imports dev/, test/ or scripts/.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/requirements.js';

const run = promisify(execFile);
const depcruise = join(repoRoot, 'node_modules', '.bin', 'depcruise');

async function cruise(cwd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(
      depcruise,
      ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
      {
        cwd,
      },
    );
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? 1, out: failed.stdout ?? '' };
  }
}

describe('the import rules', () => {
  it('hold for src/', async () => {
    const { code, out } = await cruise(repoRoot);
    expect(out).toMatch(/no dependency violations found \((\d{3,}) modules/);
    expect(code).toBe(0);
  }, 60_000);

  it('catch an import upward and a cycle (checked on a copy of src/)', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'keyhouse-layers-'));
    try {
      await cp(join(repoRoot, 'src'), join(copy, 'src'), { recursive: true });
      for (const file of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) {
        await cp(join(repoRoot, file), join(copy, file));
      }
      await writeFile(
        join(copy, 'src', 'core', 'upward.ts'),
        "import { Workflow } from '../workflow/index.js';\nexport const upward = Workflow;\n",
      );
      await writeFile(
        join(copy, 'src', 'workflow', 'circle-a.ts'),
        "import { b } from './circle-b.js';\nexport const a = () => b;\n",
      );
      await writeFile(
        join(copy, 'src', 'workflow', 'circle-b.ts'),
        "import { a } from './circle-a.js';\nexport const b = () => a;\n",
      );
      await symlink(join(repoRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
      const { code, out } = await cruise(copy);
      expect(code).not.toBe(0);
      expect(out).toContain('core-imports-downward: src/core/upward.ts → src/workflow/index.ts');
      expect(out).toMatch(/no-circular: src\/workflow\/circle-(a|b)\.ts/);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 120_000);
});
