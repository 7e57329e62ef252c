/**
 * Runs `src/main.ts` as its own process, as `npm start` would (through tsx, without a build), in
 * a scratch directory so a developer's `.env` cannot change the outcome. Every run is bounded:
 * a process still alive at its deadline is killed and reported as hung.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './requirements.js';

/**
 * How long a start may take before it counts as hung: loading `src/` through tsx takes 4–8 s on a
 * busy 2-core machine, and over 15 s while the whole suite runs beside other work.
 */
const HANG_MS = 45_000;

export interface MainExit {
  /** null when the process was killed at the deadline (it hung) or by a signal. */
  code: number | null;
  hung: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface SpawnOptions {
  /** Run as this user and group (the tests use it, as root, to meet a directory it may not write). */
  as?: { uid: number; gid: number };
}

function spawnMain(cwd: string, env: Record<string, string>, options: SpawnOptions = {}): ChildProcess {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return spawn(process.execPath, ['--import', tsx, join(repoRoot, 'src/main.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.as ? { uid: options.as.uid, gid: options.as.gid } : {}),
  });
}

/** The lines main printed on stdout, each parsed as JSON; throws on a line that is not JSON. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`main printed a line that is not JSON: ${line}`);
      }
    });
}

/** Runs main until it exits, or kills it after `timeoutMs`. */
export function runMain(
  cwd: string,
  env: Record<string, string>,
  timeoutMs = HANG_MS,
  options: SpawnOptions = {},
): Promise<MainExit> {
  const started = Date.now();
  const child = spawnMain(cwd, env, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: hung ? null : code, hung, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export interface RunningMain {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  output(): { stdout: string; stderr: string };
  /** Waits until a stdout line parsed as JSON satisfies `match`, and returns it. */
  line(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Kills the process (SIGKILL: a process whose event loop is stuck ignores SIGTERM's handler). */
  kill(): Promise<void>;
}

/**
 * Starts main with `PORT=0` and waits for its "listening" log line to learn the port. Rejects
 * with main's output when it exits or does not listen within `timeoutMs`.
 */
export function startMain(
  cwd: string,
  env: Record<string, string>,
  timeoutMs = HANG_MS,
): Promise<RunningMain> {
  const child = spawnMain(cwd, { ...env, PORT: '0' });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void kill().then(() => reject(new Error(`${why}; stdout: ${stdout}; stderr: ${stderr}`)));
    };
    const timer = setTimeout(() => fail(`main did not listen within ${timeoutMs} ms`), timeoutMs);
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const port = /"port":(\d+)/.exec(stdout)?.[1];
      if (!port || settled) return;
      settled = true;
      clearTimeout(timer);
      const alive = () => child.exitCode === null && child.signalCode === null;
      const line = async (match: (line: Record<string, unknown>) => boolean, waitMs = HANG_MS) => {
        const deadline = Date.now() + waitMs;
        for (;;) {
          const found = jsonLines(stdout).find(match);
          if (found) return found;
          if (!alive() || Date.now() > deadline) {
            throw new Error(`no such line (alive: ${alive()}); stdout: ${stdout}; stderr: ${stderr}`);
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      };
      resolve({ url: `http://127.0.0.1:${port}`, output: () => ({ stdout, stderr }), line, alive, kill });
    });
    child.on('exit', (code) => fail(`main exited with ${code}`));
  });
}
