/**
 * Starting, measuring and stopping the benchmark's child processes. Every child is registered so
 * that `stopAll` ends exactly the processes this benchmark started, on success, error or Ctrl-C.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { buildSource } from '../../test/support/build.js';
import type { ProbeReport } from './app-probe.js';
import type { InfraAnswers, InfraCommand, InfraReady, InfraReply } from './protocol.js';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TSX_LOADER = import.meta.resolve('tsx');

const children = new Set<ChildProcess>();

/** SIGTERM to every child still running, then SIGKILL to those that ignore it for `graceMs`. */
export function stopAll(graceMs = 5_000): Promise<void> {
  return stopChildren([...children], graceMs);
}

/** `stopAll` for these children only (the benchmark's apps, leaving the infra running). */
export async function stopChildren(some: readonly ChildProcess[], graceMs = 5_000): Promise<void> {
  const running = some.filter((child) => child.exitCode === null && child.signalCode === null);
  await Promise.all(
    running.map(async (child) => {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = sleep(graceMs).then(() => 'timeout' as const);
      if ((await Promise.race([exited, timer])) === 'timeout') child.kill('SIGKILL');
      await exited;
    }),
  );
}

/** Last resort on `process.exit`: no waiting is possible there, so each child gets a SIGKILL. */
export function killAllNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** How the two apps are run; both always the same way, so neither gets a loader the other lacks. */
export type RuntimeKind = 'built' | 'tsx';

export interface Runtime {
  kind: RuntimeKind;
  /** Node flags put before the entry, for both apps. */
  nodeArgs: string[];
  keyhouseEntry: string;
  bareEntry: string;
  /** Extra environment (tsx needs to find the tsconfig from a temporary working directory). */
  env: Record<string, string>;
  /** Milliseconds spent compiling (built only). */
  buildMs: number;
  /** Compiler diagnostics, when it reported any (it emits regardless). */
  buildWarning: string | null;
}

/**
 * The Node flags Keyhouse runs with in production, read from `npm start` (the Dockerfile's CMD
 * has the same; test/main.test.ts checks it): its V8 heap settings are part of what is measured.
 */
export function productionNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`npm start does not run node: ${pkg.scripts.start}`);
  // Source maps are the runtime's own choice (`built` uses them, `tsx` has its own).
  return words.slice(1).filter((word) => word.startsWith('--') && word !== '--enable-source-maps');
}

/**
 * `built`: compiles `src/` and the two benchmark entries with tsc into `dir`, as `npm start` would
 * build `dist/` (but without touching the checkout), and runs plain `node --enable-source-maps`.
 * `tsx`: runs the TypeScript sources with `node --import tsx`.
 */
export function prepareRuntime(kind: RuntimeKind, dir: string): Runtime {
  const probe = (base: string) => join(base, 'scripts/bench/app-probe');
  if (kind === 'tsx') {
    return {
      kind,
      nodeArgs: ['--import', TSX_LOADER, '--import', `${probe(ROOT)}.ts`],
      keyhouseEntry: join(ROOT, 'src/main.ts'),
      bareEntry: join(ROOT, 'scripts/bench/bare-bolt.ts'),
      env: { TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json') },
      buildMs: 0,
      buildWarning: null,
    };
  }
  const build = buildSource(dir, [
    join(ROOT, 'scripts/bench/bare-bolt.ts'),
    join(ROOT, 'scripts/bench/app-probe.ts'),
  ]);
  const { out, diagnostics } = build;
  const keyhouseEntry = join(out, 'src/main.js');
  const bareEntry = join(out, 'scripts/bench/bare-bolt.js');
  if (!existsSync(keyhouseEntry) || !existsSync(bareEntry))
    throw new Error(`tsc emitted nothing:\n${diagnostics}`);
  return {
    kind,
    nodeArgs: ['--enable-source-maps', '--import', `${probe(out)}.js`],
    keyhouseEntry,
    bareEntry,
    env: {},
    buildMs: build.ms,
    buildWarning: build.status === 0 ? null : diagnostics.split('\n').slice(0, 5).join('\n'),
  };
}

/** A free loopback port (the OS picks it; it is released just before the app binds it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface AppProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** `performance.now()` just before the spawn. */
  spawnedAt: number;
  logPath: string;
}

/** Spawns an app with its output in `logPath` (the benchmark does not read it while measuring). */
export function spawnApp(options: {
  name: string;
  runtime: Runtime;
  entry: string;
  env: Record<string, string>;
  cwd: string;
  logPath: string;
  extraNodeArgs?: string[];
}): AppProcess {
  const log = openSync(options.logPath, 'a');
  const spawnedAt = performance.now();
  const child = track(
    spawn(process.execPath, [...options.runtime.nodeArgs, ...(options.extraNodeArgs ?? []), options.entry], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...options.runtime.env, ...options.env },
      stdio: ['ignore', log, log, 'ipc'],
    }),
  );
  closeSync(log);
  if (child.pid === undefined) throw new Error(`${options.name} did not start`);
  return { name: options.name, child, pid: child.pid, spawnedAt, logPath: options.logPath };
}

/** The app's own account of its memory, from the preloaded probe (`app-probe.ts`). */
export function probeMemory(app: AppProcess): Promise<ProbeReport> {
  return new Promise((resolveReport, reject) => {
    const timer = setTimeout(() => {
      app.child.off('message', onMessage);
      reject(new Error(`${app.name} did not report its memory`));
    }, 5_000);
    const onMessage = (message: unknown) => {
      clearTimeout(timer);
      app.child.off('message', onMessage);
      resolveReport(message as ProbeReport);
    };
    app.child.on('message', onMessage);
    app.child.send('memory');
  });
}

export interface Memory {
  /** Resident set (VmRSS), MiB. */
  rssMb: number;
  /** Its peak (VmHWM). */
  peakRssMb: number;
  /** Anonymous pages (heap, stacks, native allocations): what the process itself allocated. */
  anonMb: number;
  /** File-backed pages (the node binary, shared libraries, native addons): mostly the same for any node app. */
  fileMb: number;
}

/** Memory of a running process, from `/proc/<pid>/status`. */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rssMb: mb('VmRSS'), peakRssMb: mb('VmHWM'), anonMb: mb('RssAnon'), fileMb: mb('RssFile') };
}

/** The last lines an app wrote, for an error message. */
export function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

/** The fake Slack and the ClickHouse emulator, in their own process, queried over IPC. */
export class Infra {
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();
  #next = 0;

  private constructor(
    readonly child: ChildProcess,
    readonly ready: InfraReady,
  ) {
    child.on('message', (raw) => {
      const reply = raw as InfraReply;
      const waiter = this.#pending.get(reply.id);
      if (!waiter) return;
      this.#pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(`infra: ${reply.error}`));
    });
    child.once('exit', (code) => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error(`infra exited (${code})`));
      this.#pending.clear();
    });
  }

  static async start(latencyMs: number, approvalChannel: string, logPath: string): Promise<Infra> {
    const log = openSync(logPath, 'a');
    const child = track(
      fork(join(ROOT, 'scripts/bench/infra.ts'), ['--latency', String(latencyMs)], {
        execArgv: ['--import', TSX_LOADER],
        env: { ...process.env, BENCH_APPROVAL_CHANNEL: approvalChannel },
        stdio: ['ignore', log, log, 'ipc'],
      }),
    );
    closeSync(log);
    const ready = await new Promise<InfraReady>((done, fail) => {
      child.once('message', (message) => done(message as InfraReady));
      child.once('exit', (code) => fail(new Error(`infra exited (${code}):\n${tail(logPath)}`)));
    });
    return new Infra(child, ready);
  }

  ask<K extends InfraCommand['op']>(command: Extract<InfraCommand, { op: K }>): Promise<InfraAnswers[K]> {
    const id = ++this.#next;
    return new Promise((resolveAnswer, reject) => {
      this.#pending.set(id, { resolve: resolveAnswer as (value: unknown) => void, reject });
      this.child.send({ ...command, id });
    });
  }
}

/**
 * Asks a process started with `--heapsnapshot-signal=SIGUSR2` for a heap snapshot and waits until
 * Node has finished writing it in `dir` (its working directory); returns the file's path.
 */
export async function heapSnapshot(pid: number, dir: string): Promise<string> {
  const mine = () =>
    readdirSync(dir).filter((name) => name.endsWith('.heapsnapshot') && name.includes(`.${pid}.`));
  const before = new Set(mine());
  process.kill(pid, 'SIGUSR2');
  let size = -1;
  for (let waited = 0; waited < 60_000; waited += 250) {
    await sleep(250);
    const file = mine().find((name) => !before.has(name));
    if (file === undefined) continue;
    const now = statSync(join(dir, file)).size;
    if (now > 0 && now === size) return join(dir, file);
    size = now;
  }
  throw new Error(`no heap snapshot from ${pid} within 60 s`);
}
