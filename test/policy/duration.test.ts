import { describe, expect, it } from 'vitest';
import { checkDuration, durationText, formatDuration, parseDuration } from '../../src/core/duration.js';
import { isKeyhouseError } from '../../src/core/errors.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it('reads hours and days', () => {
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('1h')).toBe(HOUR);
    expect(parseDuration('90d')).toBe(90 * DAY);
    expect(parseDuration(' 7d ')).toBe(7 * DAY);
  });

  it('reads never only where it is allowed', () => {
    expect(parseDuration('never', { allowNever: true })).toBeNull();
    expect(parseDuration('30d', { allowNever: true })).toBe(30 * DAY);
    expect(() => parseDuration('never')).toThrow(/"never" is not allowed here/);
  });

  it.each(['', '24', 'h', '1w', '1.5d', '-1d', '24H', 'forever', '1d2h', '1234567d'])(
    'rejects %j',
    (text) => {
      let caught: unknown;
      try {
        parseDuration(text, { allowNever: true });
      } catch (error) {
        caught = error;
      }
      expect(isKeyhouseError(caught, 'invalid_input')).toBe(true);
      expect((caught as Error).message).toContain('expected <n>h, <n>d or never');
    },
  );

  it('rejects zero', () => {
    expect(checkDuration('0h')).toEqual({ error: 'expected <n>h or <n>d, greater than zero' });
    expect(checkDuration('0d', { allowNever: true })).toEqual({
      error: 'expected <n>h, <n>d or never, greater than zero',
    });
  });
});

describe('formatDuration', () => {
  it.each([
    [DAY, '1 day'],
    [7 * DAY, '7 days'],
    [HOUR, '1 hour'],
    [12 * HOUR, '12 hours'],
    [36 * HOUR, '36 hours'],
    [90 * 60_000, '90 minutes'],
    [1, '1 minute'],
    [null, 'never'],
  ])('%s → %s', (ms, words) => {
    expect(formatDuration(ms)).toBe(words);
  });
});

describe('durationText', () => {
  it('gives the canonical policy spelling, days when whole', () => {
    expect(durationText(DAY)).toBe('1d');
    expect(durationText(parseDuration('48h'))).toBe('2d');
    expect(durationText(36 * HOUR)).toBe('36h');
    expect(durationText(null)).toBe('never');
  });

  it('round-trips through parseDuration', () => {
    for (const text of ['1h', '23h', '1d', '45d', '365d', 'never']) {
      expect(durationText(parseDuration(text, { allowNever: true }))).toBe(text);
    }
  });
});
