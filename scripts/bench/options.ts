import { parseArgs } from 'node:util';
import type { RuntimeKind } from './processes.js';

export const USAGE = `npm run bench -- [options]

  --latency <ms>       ClickHouse emulator latency per request (default 300)
  --concurrency <n>    connections driving each help/list/submit/approve scenario (default 20)
  --requests <n>       requests per help and list scenario, per app (default 1000)
  --approvals <n>      requests submitted and approved through the real flow (default 200)
  --creates <n>        Create key clicks, paced under ClickHouse's 10 per 10 s (default 30, at most 90)
  --rate <n>           requests per second of the open-loop list scenario, per app (default 200)
  --warmup <n>         warm-up help commands per app before measuring (default 200)
  --runtime <kind>     built: tsc into a temp dir, plain node (as npm start); tsx: node --import tsx
                       (default built)
  --starts <n>         only the start-up scenario, n times (each app spawned, polled until its first
                       ack, its RSS read, stopped); prints each start and the medians
  --json               print the figures as JSON instead of the table
  --cpu-prof           write V8 CPU profiles of both apps and phases.json (slows the apps: figures
                       from such a run are not comparable); implies --keep
  --heap-snapshot      write a heap snapshot of both apps after the load (into the kept directory);
                       implies --keep
  --app-node-arg <f>   a Node flag for both apps, e.g. --app-node-arg=--trace-gc (output in their
                       logs); repeatable; implies --keep
  --keyhouse-node-arg <f>
                       a Node flag for Keyhouse only, after those of npm start (which it always
                       runs with), to try a setting; repeatable; implies --keep
  --keep               keep the temporary directory (app logs, database, profiles) and print its path`;

export interface Options {
  latency: number;
  concurrency: number;
  requests: number;
  approvals: number;
  creates: number;
  warmup: number;
  rate: number;
  runtime: RuntimeKind;
  json: boolean;
  cpuProf: boolean;
  heapSnapshot: boolean;
  appNodeArgs: string[];
  keyhouseNodeArgs: string[];
  keep: boolean;
  /** Start-ups only, this many times (0: the whole benchmark). */
  starts: number;
}

/** The command line; null when `--help` was asked for. Throws on a bad value. */
export function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      latency: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '20' },
      requests: { type: 'string', default: '1000' },
      approvals: { type: 'string', default: '200' },
      creates: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '200' },
      rate: { type: 'string', default: '200' },
      runtime: { type: 'string', default: 'built' },
      json: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'heap-snapshot': { type: 'boolean', default: false },
      'app-node-arg': { type: 'string', multiple: true, default: [] },
      'keyhouse-node-arg': { type: 'string', multiple: true, default: [] },
      keep: { type: 'boolean', default: false },
      starts: { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return null;
  const int = (name: string, raw: string, min: number, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`--${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
  if (values.runtime !== 'built' && values.runtime !== 'tsx') throw new Error('--runtime is built or tsx');
  return {
    latency: int('latency', values.latency, 0, 5_000),
    concurrency: int('concurrency', values.concurrency, 1, 500),
    requests: int('requests', values.requests, 1, 100_000),
    approvals: int('approvals', values.approvals, 1, 2_000),
    // The emulator holds at most 100 keys, its own admin key included.
    creates: int('creates', values.creates, 1, 90),
    warmup: int('warmup', values.warmup, 0, 100_000),
    rate: int('rate', values.rate, 1, 10_000),
    runtime: values.runtime,
    json: values.json,
    cpuProf: values['cpu-prof'],
    heapSnapshot: values['heap-snapshot'],
    appNodeArgs: values['app-node-arg'],
    keyhouseNodeArgs: values['keyhouse-node-arg'],
    starts: int('starts', values.starts, 0, 100),
    keep:
      values.keep ||
      values['cpu-prof'] ||
      values['heap-snapshot'] ||
      values['app-node-arg'].length > 0 ||
      values['keyhouse-node-arg'].length > 0,
  };
}
