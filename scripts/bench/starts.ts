/**
 * `npm run bench -- --starts <n>`: the start-up scenario alone, `n` times. Each time bare Bolt then
 * Keyhouse are spawned (one at a time, as in the full run), polled with a signed `/chkey help` until
 * the first 200, their memory read from `/proc` at that moment, and both stopped. Keyhouse gets a
 * fresh SQLite file each time, so every start migrates it as a first start does.
 */
import { load, machine } from './machine.js';
import type { Options } from './options.js';
import { heapSnapshot, memoryOf, probeMemory, ROOT, stopChildren } from './processes.js';
import { TARGET } from './report.js';
import { prepareSession, type Started, startApps } from './run.js';
import { summarize } from './stats.js';

export interface StartFigures {
  /** The one-minute load just before this start. */
  loadAtStart: number;
  firstAckMs: number;
  rssMb: number;
  anonMb: number;
  fileMb: number;
  /** V8's heap (committed, used) and memory outside it, MiB, from the app's probe just after. */
  heapTotalMb: number;
  heapUsedMb: number;
  externalMb: number;
  /** `--heap-snapshot`: a heap snapshot at this point. */
  heapSnapshot?: string;
}

export interface Starts {
  meta: ReturnType<typeof machine> & Record<string, unknown>;
  runs: { keyhouse: StartFigures; bare: StartFigures }[];
}

export async function runStarts(
  options: Options,
  dir: string,
  progress: (message: string) => void,
): Promise<Starts> {
  const meta = { ...machine(ROOT), runtime: options.runtime, starts: options.starts };
  const { s, runtime, policyPath } = await prepareSession(options, dir, progress);
  const runs: Starts['runs'] = [];
  for (let i = 0; i < options.starts; i++) {
    const loadAtStart = load()[0]!;
    progress(`start ${i + 1} of ${options.starts} (1-minute load ${loadAtStart})`);
    const started = await startApps(s, runtime, dir, policyPath, `keyhouse-${i}.db`);
    const figures = async (app: Started): Promise<StartFigures> => {
      const { anonMb, fileMb } = memoryOf(app.app.pid);
      const { memory } = await probeMemory(app.app);
      const mb = (bytes: number) => bytes / 2 ** 20;
      return {
        loadAtStart,
        firstAckMs: app.firstAckMs,
        rssMb: app.rssAtFirstAckMb,
        anonMb,
        fileMb,
        heapTotalMb: mb(memory.heapTotal),
        heapUsedMb: mb(memory.heapUsed),
        externalMb: mb(memory.external),
        ...(options.heapSnapshot ? { heapSnapshot: await heapSnapshot(app.app.pid, dir) } : {}),
      };
    };
    runs.push({ keyhouse: await figures(started.keyhouse), bare: await figures(started.bare) });
    // Stopped before the next start, so each start has the cores to itself (the infra aside).
    await stopChildren([started.keyhouse.app.child, started.bare.app.child]);
  }
  return { meta: { ...meta, loadAtEnd: load() }, runs };
}

/** One line per start, then the medians, with the targets. */
export function renderStarts(starts: Starts): string {
  const about = Object.entries(starts.meta)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(' ') : String(value)}`)
    .join('\n');
  const f1 = (value: number) => value.toFixed(1);
  const lines = starts.runs.map(
    ({ keyhouse: kh, bare }, i) =>
      `${String(i + 1).padStart(3)}  load ${f1(kh.loadAtStart).padStart(5)}  first ack ${f1(kh.firstAckMs).padStart(7)} / ${f1(bare.firstAckMs).padStart(7)} ms` +
      `  RSS ${f1(kh.rssMb).padStart(6)} / ${f1(bare.rssMb).padStart(6)} MiB (+${f1(kh.rssMb - bare.rssMb)})` +
      `  anon ${f1(kh.anonMb)} / ${f1(bare.anonMb)}  file ${f1(kh.fileMb)} / ${f1(bare.fileMb)}` +
      `  V8 heap used/committed ${f1(kh.heapUsedMb)}/${f1(kh.heapTotalMb)} / ${f1(bare.heapUsedMb)}/${f1(bare.heapTotalMb)}` +
      `  external ${f1(kh.externalMb)} / ${f1(bare.externalMb)}`,
  );
  const median = (pick: (run: Starts['runs'][number]) => number) => summarize(starts.runs.map(pick)).p50;
  const firstAck = median((run) => run.keyhouse.firstAckMs);
  return [
    about,
    '',
    'start  load  first ack KH / bare  RSS at first ack KH / bare (KH − bare)  RssAnon, RssFile, V8 heap, external: KH / bare',
    ...lines,
    '',
    `median first ack: Keyhouse ${f1(firstAck)} ms, bare Bolt ${f1(median((run) => run.bare.firstAckMs))} ms` +
      ` (target ≤ ${TARGET.firstAckMs} ms: ${firstAck <= TARGET.firstAckMs ? 'PASS' : 'MISS'})`,
    `median RSS at first ack: Keyhouse ${f1(median((run) => run.keyhouse.rssMb))} MiB, bare Bolt ${f1(
      median((run) => run.bare.rssMb),
    )} MiB, Keyhouse − bare ${f1(median((run) => run.keyhouse.rssMb - run.bare.rssMb))} MiB`,
    '',
  ].join('\n');
}
