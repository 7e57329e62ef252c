/**
 * `npm run policy -- check [FILE] | explain --user U… [--groups S…,…] [--policy FILE] | test CASES
 * [--policy FILE]` (product.md §15), for a policy repository's CI as much as for an operator; from
 * the built code, `node dist/src/policy/cli.js …` (the image has no tsx).
 *
 * `check` loads the file exactly as Keyhouse does at start (`loadPolicy`, one code path) and
 * prints every problem with its path and line; exit 1 when there is any. `explain` says what one
 * person may request, approve and manage, and which lines say so. `test` runs YAML cases and prints
 * `N passed, M failed`; exit 1 when one failed. Usage mistakes exit 2.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import type { PolicyDocument } from '../core/policy-model.js';
import { abilitiesOf, groupList } from './abilities.js';
import { casesFileSchema, runCases } from './cases.js';
import { explainText } from './explain.js';
import { PolicyLines } from './lines.js';
import { loadPolicy, PolicyError } from './load.js';
import { formatPath, isUserId } from './schema.js';

export interface PolicyCliIo {
  env: Record<string, string | undefined>;
  /** Where relative paths start (the process's working directory). */
  cwd: string;
  out: (line: string) => void;
  err: (line: string) => void;
}

const USAGE = [
  'usage: policy check [FILE]',
  '       policy explain --user U… [--groups S…,S…] [--policy FILE]',
  '       policy test CASES.yml [--policy FILE]',
  'FILE defaults to KEYHOUSE_POLICY, else ./policy.yml.',
].join('\n');

class UsageError extends Error {}

/** Runs one command; resolves to the exit code. */
export async function runPolicyCli(argv: readonly string[], io: PolicyCliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check':
        return await check(rest, io);
      case 'explain':
        return await explain(rest, io);
      case 'test':
        return await test(rest, io);
      default:
        throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof PolicyError) {
      reportProblems(error, io);
      return 1;
    }
    throw error;
  }
}

function defaultPolicy(io: PolicyCliIo): string {
  return io.env.KEYHOUSE_POLICY ?? './policy.yml';
}

/** `--name value` flags, and the positional arguments left. */
function flags(
  args: readonly string[],
  known: readonly string[],
): { named: Map<string, string>; positional: string[] } {
  const named = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = inline ?? args[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    named.set(name, value);
  }
  return { named, positional };
}

async function check(args: readonly string[], io: PolicyCliIo): Promise<number> {
  const { positional } = flags(args, []);
  if (positional.length > 1) throw new UsageError('check takes one file');
  const file = positional[0] ?? defaultPolicy(io);
  // What the bot does at start, nothing more and nothing less.
  const doc = await loadPolicy(resolve(io.cwd, file));
  io.out(`ok ${file}: ${doc.roles.length} role${doc.roles.length === 1 ? '' : 's'}`);
  return 0;
}

function reportProblems(error: PolicyError, io: PolicyCliIo): void {
  for (const problem of error.located) {
    io.err(`${error.file}${problem.line === null ? '' : `:${problem.line}`}: ${problem.text}`);
  }
  io.err(`${error.located.length} problem${error.located.length === 1 ? '' : 's'} in ${error.file}`);
}

/** The policy and its lines, read once through the bot's own loader. */
async function readPolicy(file: string): Promise<{ doc: PolicyDocument; lines: PolicyLines }> {
  const doc = await loadPolicy(file);
  const text = await readFile(file, 'utf8');
  return { doc, lines: PolicyLines.of(text, extname(file).toLowerCase() === '.json') };
}

async function explain(args: readonly string[], io: PolicyCliIo): Promise<number> {
  const { named, positional } = flags(args, ['user', 'groups', 'policy']);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const user = named.get('user');
  if (user === undefined) throw new UsageError('explain needs --user U…');
  if (!isUserId(user)) throw new UsageError(`--user "${user}" is not a user ID (U…/W…)`);
  const groups = groupList(named.get('groups') ?? '');
  if ('error' in groups) throw new UsageError(`--groups: ${groups.error}`);
  const file = named.get('policy') ?? defaultPolicy(io);
  const { doc, lines } = await readPolicy(resolve(io.cwd, file));
  io.out(explainText(file, await abilitiesOf(doc, lines, user, groups.groups)).trimEnd());
  return 0;
}

async function test(args: readonly string[], io: PolicyCliIo): Promise<number> {
  const { named, positional } = flags(args, ['policy']);
  if (positional.length !== 1) throw new UsageError('test takes one file of cases');
  const casesFile = resolve(io.cwd, positional[0] ?? '');
  let raw: unknown;
  try {
    raw = parse(await readFile(casesFile, 'utf8'));
  } catch (error) {
    io.err(`${positional[0]}: cannot read the cases (${(error as Error).message.split('\n')[0]})`);
    return 2;
  }
  const parsed = casesFileSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      io.err(`${positional[0]}: ${formatPath(path)}: ${issue.message}`);
    }
    return 2;
  }
  const policyFile = named.get('policy')
    ? resolve(io.cwd, named.get('policy') ?? '')
    : parsed.data.policy
      ? resolve(dirname(casesFile), parsed.data.policy)
      : resolve(io.cwd, defaultPolicy(io));
  const { doc, lines } = await readPolicy(policyFile);
  const results = await runCases(doc, lines, parsed.data.cases);
  for (const result of results) {
    if (result.failures.length === 0) {
      io.out(`ok   ${result.name}`);
      continue;
    }
    io.out(`FAIL ${result.name}`);
    for (const failure of result.failures) io.out(`       ${failure}`);
  }
  const failed = results.filter((r) => r.failures.length > 0).length;
  io.out(`${results.length - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runPolicyCli(process.argv.slice(2), {
    env: process.env,
    // `npm run policy` runs in the package's folder; paths are the caller's, where npm was started.
    cwd: (process.env.npm_lifecycle_event === 'policy' ? process.env.INIT_CWD : undefined) ?? process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`policy: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
