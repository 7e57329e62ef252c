import { KeyhouseError } from './errors.js';

/**
 * Policy durations: `<n>h`, `<n>d`, and `never` where an unlimited lifetime makes sense
 * (`maxExpiry`, a request's approved expiry). Days are exactly 24 h: product.md §1 counts an
 * expiry of N days as N × 24 h from creation, in UTC, so no calendar arithmetic is wanted.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const DURATION_EXPECTED = 'expected <n>h or <n>d';
export const DURATION_OR_NEVER_EXPECTED = 'expected <n>h, <n>d or never';

// Six digits reach ~2,700 years: enough for any real expiry, small enough that a date
// computed from it never leaves the range `Date` can hold.
const DURATION = /^(\d{1,6})([hd])$/;

/**
 * The duration in milliseconds, or the reason it is not one (phrased for a problem list:
 * `expected <n>h, <n>d or never`). `never` gives `null` only when `allowNever` is set.
 */
export function checkDuration(
  text: string,
  options: { allowNever?: boolean } = {},
): { ms: number | null } | { error: string } {
  const expected = options.allowNever ? DURATION_OR_NEVER_EXPECTED : DURATION_EXPECTED;
  const trimmed = text.trim();
  if (trimmed === 'never')
    return options.allowNever ? { ms: null } : { error: `${expected} ("never" is not allowed here)` };
  const match = DURATION.exec(trimmed);
  if (!match) return { error: expected };
  const n = Number(match[1]);
  if (n === 0) return { error: `${expected}, greater than zero` };
  return { ms: n * (match[2] === 'd' ? DAY_MS : HOUR_MS) };
}

/**
 * Parses `24h` → 86_400_000, `90d` → 7_776_000_000; `never` → null only with `allowNever`.
 * @throws KeyhouseError `invalid_input` with `expected <n>h, <n>d or never` for anything else.
 */
export function parseDuration(text: string): number;
export function parseDuration(text: string, options: { allowNever: true }): number | null;
export function parseDuration(text: string, options?: { allowNever?: boolean }): number | null;
export function parseDuration(text: string, options: { allowNever?: boolean } = {}): number | null {
  const result = checkDuration(text, options);
  if ('error' in result)
    throw new KeyhouseError('invalid_input', `Invalid duration "${text}": ${result.error}`);
  return result.ms;
}

/**
 * The canonical policy spelling of a duration: whole days as `<n>d`, else whole hours as `<n>h`
 * (`null` → `never`). Used for option values, so `24h` and `1d` compare equal.
 */
export function durationText(ms: number | null): string {
  if (ms === null) return 'never';
  return ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : `${Math.ceil(ms / HOUR_MS)}h`;
}

/**
 * Words for people: `1 day`, `7 days`, `12 hours`, `never`. Whole days read as days, whole hours
 * as hours, anything shorter as minutes (rounded up, so a remaining time never reads as zero).
 */
export function formatDuration(ms: number | null): string {
  if (ms === null) return 'never';
  if (ms >= DAY_MS && ms % DAY_MS === 0) return plural(ms / DAY_MS, 'day');
  if (ms >= HOUR_MS && ms % HOUR_MS === 0) return plural(ms / HOUR_MS, 'hour');
  return plural(Math.ceil(ms / 60_000), 'minute');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
