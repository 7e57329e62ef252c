/**
 * `npm run audit -- verify [--head <seq>:<hash>]` and `npm run audit -- export [--since ISO]
 * [--until ISO]`, on the store `DATABASE_URL` names (product.md §4); from the built code,
 * `node dist/src/audit/cli.js …`. Verify prints `ok N events` and exits 0, or names the first
 * event that was changed, removed or reordered and exits 1; with `--head` (a head Keyhouse posted
 * to the security channel) it also proves the chain still holds that head. Export writes JSON Lines.
 */
import { pathToFileURL } from 'node:url';
import { type NotedHead, parseNotedHead } from '../core/audit-chain.js';
import type { Store } from '../core/model.js';
import { openStore } from '../store/index.js';
import { exportAudit, exportLine, verifyAudit } from './verify.js';

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Opens the store; tests pass one in for a PostgreSQL schema. */
  open?: (databaseUrl: string) => Promise<Store>;
}

const USAGE = 'usage: audit verify [--head <seq>:<hash>] | audit export [--since ISO] [--until ISO]';

function parseInstant(flag: string, value: string | undefined): Date {
  const date = value === undefined ? new Date(Number.NaN) : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new Error(`${flag} needs an ISO-8601 time, such as 2026-12-01T00:00:00Z`);
  return date;
}

function parseRange(args: readonly string[]): { since?: Date; until?: Date } {
  const range: { since?: Date; until?: Date } = {};
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i];
    if (flag === '--since') range.since = parseInstant(flag, args[i + 1]);
    else if (flag === '--until') range.until = parseInstant(flag, args[i + 1]);
    else throw new Error(`unknown argument ${flag}\n${USAGE}`);
  }
  return range;
}

function parseHead(args: readonly string[]): NotedHead | undefined {
  if (args.length === 0) return undefined;
  const [flag, value] = args;
  if (flag !== '--head' || args.length !== 2) throw new Error(USAGE);
  const noted = parseNotedHead(value ?? '');
  if (!noted) throw new Error(`--head needs <seq>:<hash> as Keyhouse posts it, such as 42:${'0'.repeat(64)}`);
  return noted;
}

/** Runs one command; resolves to the exit code. */
export async function runAuditCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'verify' && command !== 'export') {
    io.err(USAGE);
    return 2;
  }
  let range: { since?: Date; until?: Date } = {};
  let noted: NotedHead | undefined;
  try {
    if (command === 'export') range = parseRange(rest);
    else noted = parseHead(rest);
  } catch (error) {
    io.err((error as Error).message);
    return 2;
  }
  const databaseUrl = io.env.DATABASE_URL ?? 'sqlite:./data/keyhouse.db';
  const store = await (io.open ?? openStore)(databaseUrl);
  try {
    if (command === 'export') {
      for (const event of await exportAudit(store, range)) io.out(exportLine(event));
      return 0;
    }
    const result = await verifyAudit(store, noted);
    if (result.ok) {
      io.out(`ok ${result.events} events${noted ? `; the chain holds ${noted.seq}:${noted.hash}` : ''}`);
      return 0;
    }
    io.err(`audit chain broken at event ${result.seq ?? '(end)'}: ${result.problem}`);
    return 1;
  } finally {
    await store.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runAuditCli(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`audit: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
