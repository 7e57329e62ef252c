import { type ChildProcess, type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/requirements.js';
import { basicAuth } from './http.js';

const MAIN = resolve(repoRoot, 'dev/emulator/main.ts');

/**
 * `node --import tsx` rather than the `tsx` CLI (what `npm run emulator` uses): the CLI runs the script in a
 * child process, which a SIGKILL in cleanup would orphan. Signals reach main.ts either way.
 */
function spawnMain(env: Record<string, string>): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

/** Starts `npm run emulator`'s entry point and resolves with its first stdout line. */
async function launch(env: Record<string, string>): Promise<{ line: string; stderr: () => string }> {
  const proc = spawnMain(env);
  child = proc;
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let stdout = '';
  const line = await new Promise<string>((done, fail) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const end = stdout.indexOf('\n');
      if (end >= 0) done(stdout.slice(0, end));
    });
    proc.once('exit', (code) => fail(new Error(`emulator exited (${code}) before printing: ${stderr}`)));
  });
  return { line, stderr: () => stderr };
}

function field(line: string, name: string): string | undefined {
  return new RegExp(`${name}=(\\S+)`).exec(line)?.[1];
}

describe('npm run emulator', () => {
  it('prints URL, organization and generated credentials, serves, and stops on SIGTERM', async () => {
    const { line } = await launch({ EMULATOR_PORT: '0' });
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
    const organizationId = field(line, 'organizationId');
    const keyId = field(line, 'keyId');
    const keySecret = field(line, 'keySecret');
    expect(url && organizationId && keyId && keySecret).toBeTruthy();

    const response = await fetch(`${url}/v1/organizations`, {
      headers: { authorization: basicAuth({ keyId: keyId!, keySecret: keySecret! }) },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: { id: string }[] }).result[0]?.id).toBe(organizationId);

    const exited = once(child!, 'close');
    child!.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('uses fixed admin credentials from the environment and does not print the secret', async () => {
    const { line } = await launch({
      EMULATOR_PORT: '0',
      EMULATOR_KEY_ID: 'DEVKEYID000000000001',
      EMULATOR_KEY_SECRET: '4b1ddevsecretfromdotenv',
    });
    expect(field(line, 'keyId')).toBe('DEVKEYID000000000001');
    expect(line).not.toContain('4b1ddevsecretfromdotenv');
    expect(line).not.toContain('keySecret');
  });

  it('refuses half of a fixed credential pair', async () => {
    const proc = spawnMain({ EMULATOR_PORT: '0', EMULATOR_KEY_ID: 'ONLYTHEID' });
    child = proc;
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(proc, 'close');
    expect(code).toBe(2);
    expect(stderr).toMatch(/EMULATOR_KEY_ID and EMULATOR_KEY_SECRET/);
  });
});
