/**
 * When the playground fails, it says what happened and what to do: Keyhouse stopped under it names
 * the signal and keeps its log (not a path in a folder just deleted); a busy port suggests --port.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeExit, startPlayground } from '../../dev/playground/start.js';
import { repoRoot } from '../support/requirements.js';

describe('the playground when something fails', { timeout: 120_000 }, () => {
  it('Keyhouse killed under it: the signal is named, and its log is kept when the rest is removed', async () => {
    const playground = await startPlayground({ port: 0 });
    const dir = dirname(playground.logFile);
    try {
      expect(playground.keyhousePid).toBeDefined();
      process.kill(playground.keyhousePid!, 'SIGKILL');
      const exit = await playground.keyhouseExited;
      expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
      expect(describeExit(exit)).toBe('the signal SIGKILL (killed: by someone, or by the system for memory)');
      await playground.close();
      expect(await readdir(dir)).toEqual(['keyhouse.log']);
      expect(await readFile(playground.logFile, 'utf8')).toContain('Keyhouse is serving');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('closed normally, it leaves nothing behind', async () => {
    const playground = await startPlayground({ port: 0 });
    await playground.close();
    expect(existsSync(dirname(playground.logFile))).toBe(false);
  });

  it('an exit code is said as one', () => {
    expect(describeExit({ code: 1, signal: null })).toBe('exit code 1');
  });

  it('a busy port: says so at once and suggests --port, before starting anything', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    const { port } = holder.address() as { port: number };
    try {
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
      const child = spawn(
        process.execPath,
        ['--import', tsx, join(repoRoot, 'dev/playground/main.ts'), '--port', String(port)],
        { cwd: repoRoot, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
      expect(stderr).toContain('npm run playground -- --port 9000');
      expect(stderr).not.toContain('EADDRINUSE');
      expect(stdout).toBe('');
    } finally {
      await new Promise<void>((done) => holder.close(() => done()));
    }
  });
});
