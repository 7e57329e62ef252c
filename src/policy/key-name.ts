import { RE2JS } from 're2js';

/**
 * The key-name pattern for RE2 (linear time, so no pattern can stall the process, and no match
 * needs a deadline that a busy machine could miss), anchored so that a pattern written without
 * ^…$ cannot accept names it only partly matches. Throws for what RE2 cannot run
 * (backreferences, lookaround); the policy schema refuses those at start.
 */
export function compileKeyNamePattern(pattern: string): RE2JS {
  return RE2JS.compile(`^(?:${pattern})$`);
}
