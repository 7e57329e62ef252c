import { firstHeader, type Headers, readSeconds } from '../util/http.js';

/**
 * Whether a 403 or 429 is a rate limit, and how long GitHub asks to wait (DOC-RATE):
 * - `retry-after` present: that many seconds;
 * - `x-ratelimit-remaining: 0`: until `x-ratelimit-reset` (UTC epoch seconds);
 * - otherwise a secondary limit (a 429, or a 403 whose message says "rate limit"): at least a minute,
 *   doubling each time it happens again within one call.
 * A 403 with none of these is a permission problem, not a rate limit: no machine-readable code tells
 * them apart (UNCERTAIN in the fact sheet), so the headers and the message decide.
 */
export interface RateLimitAnswer {
  status: number;
  headers: Headers;
  /** GitHub's `message`, when the body had one. */
  message: string | null;
}

/** The reset is given in whole seconds; waiting a little past it avoids landing just before it. */
export const RESET_MARGIN_MS = 1_000;
const SECONDARY_MIN_WAIT_MS = 60_000;

/** How long to wait, and whether no reset was given (a secondary limit, which backs off exponentially). */
export interface RateLimitWait {
  waitMs: number;
  secondary: boolean;
}

/**
 * The wait a 403 or 429 asks for, or null when the answer is not a rate limit. `secondaryStreak`
 * counts the secondary limits this call already waited out (for the backoff).
 */
export function readRateLimit(
  answer: RateLimitAnswer,
  nowMs: number,
  secondaryStreak: number,
): RateLimitWait | null {
  if (answer.status !== 403 && answer.status !== 429) return null;
  const retryAfter = readSeconds(firstHeader(answer.headers, 'retry-after'));
  if (retryAfter !== null) return { waitMs: retryAfter * 1000, secondary: false };
  if (firstHeader(answer.headers, 'x-ratelimit-remaining')?.trim() === '0') {
    const reset = readSeconds(firstHeader(answer.headers, 'x-ratelimit-reset'));
    const waitMs =
      reset === null ? SECONDARY_MIN_WAIT_MS : Math.max(0, reset * 1000 - nowMs) + RESET_MARGIN_MS;
    return { waitMs, secondary: false };
  }
  const saysRateLimit = /rate limit/i.test(answer.message ?? '');
  if (answer.status !== 429 && !saysRateLimit) return null;
  return { waitMs: SECONDARY_MIN_WAIT_MS * 2 ** secondaryStreak, secondary: true };
}
