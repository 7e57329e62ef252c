/**
 * Remembers the outcome of an async check for `ttlMs` (success or failure alike), and shares one
 * run among concurrent callers, so frequent probes cost the upstream one call per period.
 */
export function cached<T>(
  ttlMs: number,
  run: () => Promise<T>,
  now: () => number = Date.now,
): () => Promise<T> {
  let last: { at: number; result: Promise<T> } | null = null;
  return () => {
    const at = now();
    if (last && at - last.at < ttlMs) return last.result;
    const result = run();
    // A rejection is remembered too (a probe should not retry a failing upstream on every hit);
    // this handler only keeps it from being reported as unhandled.
    result.catch(() => undefined);
    last = { at, result };
    return result;
  };
}
