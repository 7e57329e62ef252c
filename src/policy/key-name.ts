import { createRequire } from 'node:module';
import type * as Re2 from 're2js';
import { DEFAULT_KEY_NAME_PATTERN } from '../core/policy-model.js';

/** What a compiled key-name pattern does: whole-name matching. */
export interface KeyNamePattern {
  matches(name: string): boolean;
}

/**
 * The default pattern, as a JavaScript RegExp: one bounded character class, which no name can make
 * backtrack, so it needs no RE2. It is the same language as RE2 reads it (a class of ASCII characters,
 * anchored both ends, no flags).
 */
const DEFAULT = /^(?:^[A-Za-z0-9 _.-]{1,64}$)$/;

let re2: typeof Re2 | null = null;

/**
 * re2js (about 1.6 MiB of RSS once loaded) only for a policy with a pattern of its own: loaded then,
 * synchronously, through its CommonJS build, since the schema and the policy compile patterns as
 * they read them.
 */
function loadRe2(): typeof Re2 {
  re2 ??= createRequire(import.meta.url)('re2js') as typeof Re2;
  return re2;
}

/**
 * The key-name pattern for RE2 (linear time, so no pattern can stall the process, and no match
 * needs a deadline that a busy machine could miss), anchored so that a pattern written without
 * ^…$ cannot accept names it only partly matches. Throws for what RE2 cannot run
 * (backreferences, lookaround); the policy schema refuses those at start.
 */
export function compileKeyNamePattern(pattern: string): KeyNamePattern {
  if (pattern === DEFAULT_KEY_NAME_PATTERN) return { matches: (name) => DEFAULT.test(name) };
  return loadRe2().RE2JS.compile(`^(?:${pattern})$`);
}
