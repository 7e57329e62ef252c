import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { KeyhouseError } from '../core/errors.js';
import { PolicyLines } from './lines.js';
import { formatPath, type PolicyDocument, validatePolicy } from './schema.js';

/** One problem as `npm run policy -- check` prints it: where in the file, and what is wrong. */
export interface LocatedProblem {
  /** `roles[1].maxExpiry: expected <n>h, <n>d or never`, as in `PolicyError.problems`. */
  text: string;
  /** The 1-based line it concerns (the nearest written parent for a missing field); null when unknown. */
  line: number | null;
}

/**
 * A policy file that cannot be used. `problems` holds every problem found, each prefixed with its
 * path inside the file (`roles[1].maxExpiry: expected <n>h, <n>d or never`); the message names the
 * file and joins them, so one start-up failure tells the operator everything to fix.
 */
export class PolicyError extends KeyhouseError {
  override readonly name = 'PolicyError';
  readonly file: string;
  readonly problems: readonly string[];
  /** The same problems with their lines in the file, in the same order. */
  readonly located: readonly LocatedProblem[];

  constructor(file: string, problems: readonly (string | LocatedProblem)[], options?: ErrorOptions) {
    const located = problems.map((p) => (typeof p === 'string' ? { text: p, line: null } : p));
    super('policy_invalid', `Invalid policy file ${file}: ${located.map((p) => p.text).join('; ')}`, options);
    this.file = file;
    this.located = Object.freeze(located);
    this.problems = Object.freeze(located.map((p) => p.text));
  }
}

/**
 * Parses and validates policy text. `file` names it in errors and picks the syntax: `.json` is read
 * with the JSON schema (plain words must be quoted), anything else as YAML 1.2, which also reads JSON.
 * Both go through the YAML parser so that syntax errors carry a line and column.
 * @throws PolicyError listing every problem.
 */
export function parsePolicy(text: string, file: string): PolicyDocument {
  if (text.length > MAX_POLICY_BYTES) {
    throw new PolicyError(file, [`the file is larger than ${MAX_POLICY_BYTES / 1024} kB`]);
  }
  const json = extname(file).toLowerCase() === '.json';
  let data: unknown;
  let lines: PolicyLines | null = null;
  try {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { schema: json ? 'json' : 'core', prettyErrors: true, lineCounter });
    lines = new PolicyLines(document, lineCounter);
    if (document.errors.length > 0) {
      throw new PolicyError(
        file,
        document.errors.map((e) => syntaxProblem(e)),
      );
    }
    // A bounded alias count stops "billion laughs" documents from expanding without end.
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof PolicyError) throw error;
    throw new PolicyError(file, [unreadable(error)], { cause: error });
  }
  if (data === null || data === undefined) throw new PolicyError(file, ['the file is empty']);

  const result = validatePolicy(data);
  if ('problems' in result) {
    throw new PolicyError(
      file,
      result.problems.map((p) => ({
        text: `${formatPath(p.path)}: ${p.message}`,
        line: lines?.line(p.path) ?? null,
      })),
    );
  }
  return result.doc;
}

/**
 * Reads and validates the policy file at `path`.
 * @throws PolicyError when the file is missing or unreadable, or does not validate.
 */
export async function loadPolicy(path: string): Promise<PolicyDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? 'file not found (set KEYHOUSE_POLICY, or copy policy.example.yml to start)'
        : `cannot read the file (${code ?? (error as Error).message})`;
    throw new PolicyError(path, [problem], { cause: error });
  }
  return parsePolicy(text, path);
}

/** A policy is a page of settings; anything this large is a mistake or an attack. */
const MAX_POLICY_BYTES = 1024 * 1024;

/** Why the YAML library could not turn the document into data (aliases, nesting), in words. */
function unreadable(error: unknown): string {
  if (error instanceof RangeError) return 'the document is nested too deeply';
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return /alias/i.test(message) ? `unusable aliases: ${message}` : `the document cannot be read: ${message}`;
}

/** `line 3, column 5: Map keys must be unique`, from the YAML library's pretty message. */
function syntaxProblem(error: {
  message: string;
  linePos?: [{ line: number; col: number }, ...unknown[]];
}): LocatedProblem {
  // The pretty message repeats the position and appends a source excerpt; keep only the words.
  const words = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  // The parser reports running out of stack on absurd nesting as a syntax error; say what it means.
  const at = error.linePos?.[0];
  if (/maximum call stack/i.test(words)) return { text: 'the document is nested too deeply', line: null };
  return at
    ? { text: `line ${at.line}, column ${at.col}: ${words}`, line: at.line }
    : { text: words, line: null };
}
