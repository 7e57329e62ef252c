/**
 * `npm run policy` from the built code (the image has no tsx): the CLI and what it imports,
 * compiled as `npm run build` compiles them (only its own import graph, so the test stays cheap),
 * then the npm script's own fallback run without tsx.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/requirements.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyhouse-policy-built-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run policy from the built code', () => {
  it('checks and explains a policy with node dist/src/policy/cli.js, and the npm script falls back to it', () => {
    const tsconfig = join(dir, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(repoRoot, 'tsconfig.build.json'),
        compilerOptions: {
          outDir: join(dir, 'dist'),
          rootDir: repoRoot,
          typeRoots: [join(repoRoot, 'node_modules/@types')],
          incremental: false,
        },
        include: [],
        files: [join(repoRoot, 'src/policy/cli.ts')],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', tsconfig],
      {
        encoding: 'utf8',
      },
    );
    expect(tsc.status, `${tsc.stdout}${tsc.stderr}`).toBe(0);
    // As in the image: the compiled tree beside node_modules and package.json, and no tsx.
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), readFileSync(join(repoRoot, 'package.json')));
    writeFileSync(
      join(dir, 'policy.yml'),
      'approvalChannel: C0APPROVALS\nadmins: [U0DANA]\nroles:\n  - id: dev\n    label: Dev\n    grant: { roles: [developer] }\n    maxExpiry: 7d\n    approvals: 0\n',
    );
    writeFileSync(join(dir, 'broken.yml'), 'approvalChannel: nowhere\nroles: []\n');

    const node = (args: string[]) =>
      spawnSync(process.execPath, [join(dir, 'dist/src/policy/cli.js'), ...args], {
        cwd: dir,
        encoding: 'utf8',
      });
    const ok = node(['check', 'policy.yml']);
    expect({ status: ok.status, stdout: ok.stdout, stderr: ok.stderr }).toEqual({
      status: 0,
      stdout: 'ok policy.yml: 1 role\n',
      stderr: '',
    });
    const broken = node(['check', 'broken.yml']);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/broken\.yml:1: approvalChannel: "nowhere" is not a channel ID/);
    expect(node(['explain', '--user', 'U0EVE', '--policy', 'policy.yml']).stdout).toContain(
      '  - dev (Dev): no approval needed, up to 7 days — everyone ("*") of requesters (default)',
    );

    // The npm script itself, where tsx is not installed: a node_modules without it.
    const modules = join(dir, 'image-modules');
    mkdirSync(modules);
    for (const name of ['yaml', 'zod', 'pino', 're2js']) {
      symlinkSync(join(repoRoot, 'node_modules', name), join(modules, name), 'dir');
    }
    rmSync(join(dir, 'node_modules'));
    symlinkSync(modules, join(dir, 'node_modules'), 'dir');
    const script = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts.policy as string;
    const viaScript = spawnSync('sh', ['-c', `${script} check policy.yml`], { cwd: dir, encoding: 'utf8' });
    expect({ status: viaScript.status, stdout: viaScript.stdout }).toEqual({
      status: 0,
      stdout: 'ok policy.yml: 1 role\n',
    });
  }, 180_000);
});
