import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/requirements.js';

/** Starts `src/main.ts` as `npm start` would (through tsx, without a build) and waits for it to exit. */
function runMain(
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  // Run in a scratch directory so a developer's own .env in the checkout cannot change the outcome.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, join(repoRoot, 'src/main.ts')], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main did not exit; stderr: ${stderr}`));
    }, 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('start-up refuses bad configuration with one message', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyhouse-main-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every environment problem together and exits 1', async () => {
    const result = await runMain(dir, {
      SLACK_BOT_TOKEN: 'xoxb-1',
      PORT: 'eighty',
      CLICKHOUSE_KEY_SECRET: 'kept-private',
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('SLACK_SIGNING_SECRET');
    expect(lines[0]).toContain('CLICKHOUSE_KEY_ID is required');
    expect(lines[0]).toContain('PORT');
    expect(result.stderr).not.toContain('kept-private');
    expect(result.stdout).toBe('');
  });

  it('names the policy file, and the path inside it, for every policy problem', async () => {
    const policy = join(dir, 'policy.yml');
    await writeFile(
      policy,
      [
        'approvalChannel: C0123',
        'approvers: [U1]',
        'admins: [U2]',
        'roles:',
        '  - { id: dev, label: Dev, grant: { roles: [developer] }, maxExpiry: 90d, approvals: 1 }',
        '  - { id: ops, label: Ops, grant: { roles: [admin] }, maxExpiry: soon, approvals: 1 }',
        'reqesters: ["*"]',
      ].join('\n'),
    );
    const result = await runMain(dir, {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'signing',
      CLICKHOUSE_KEY_ID: 'KEYID',
      CLICKHOUSE_KEY_SECRET: 'kept-private',
      KEYHOUSE_POLICY: policy,
      DATABASE_URL: `sqlite:${join(dir, 'k.db')}`,
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(policy);
    expect(lines[0]).toContain('roles[1].maxExpiry: expected <n>h, <n>d or never');
    expect(lines[0]).toContain('reqesters');
  });
});
