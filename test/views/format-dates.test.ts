/**
 * Dates for a reader (product.md §14): Slack date tokens with a UTC fallback in mrkdwn, days
 * counted in the reader's own calendar, the reader's zone written out where no token works, and
 * the instant a rendering's day words stop being right.
 */
import { describe, expect, it } from 'vitest';
import {
  dateAndDays,
  daysText,
  durationText,
  expiresText,
  expiryLineFor,
  ipListFor,
  nextDayStart,
  plainDate,
  slackDate,
  slackDay,
} from '../../src/views/format.js';
import { words } from '../support/words.js';

const en = words('en');
const enSeoul = words('en', 'Asia/Seoul');
const ko = words('ko', 'Asia/Seoul');
const koUtc = words('ko');
const newYork = words('en', 'America/New_York');

// 23:00 in Seoul on Dec 6; 14:00 in UTC.
const now = new Date('2026-12-06T14:00:00Z');
// 01:00 in Seoul on Dec 7; 16:00 in UTC, still Dec 6.
const twoHoursLater = new Date('2026-12-06T16:00:00Z');

describe('Slack date tokens', () => {
  it('carry the Unix time, Slack’s format and a fallback that is right in UTC', () => {
    // 2026-12-27T14:05:59Z is 1798380359 s after the epoch.
    expect(slackDate(new Date('2026-12-27T14:05:59.500Z'))).toBe(
      '<!date^1798380359^{date_short_pretty} {time}|2026-12-27 14:05 UTC>',
    );
    expect(slackDay(new Date('2026-12-27T23:30:00Z'))).toBe(
      `<!date^${Date.parse('2026-12-27T23:30:00Z') / 1000}^{date_short_pretty}|2026-12-27>`,
    );
  });

  it('an invalid date is words, not a token with NaN in it', () => {
    expect(dateAndDays(en, new Date(Number.NaN), now)).toBe('an unknown time');
    expect(dateAndDays(ko, new Date(Number.NaN), now)).toBe('알 수 없는 시각');
  });
});

describe('days counted in the reader’s calendar', () => {
  it('two hours later is tomorrow in Seoul and today in UTC', () => {
    expect(daysText(ko, now, twoHoursLater)).toBe('내일');
    expect(daysText(enSeoul, now, twoHoursLater)).toBe('tomorrow');
    expect(daysText(en, now, twoHoursLater)).toBe('today');
    expect(daysText(koUtc, now, twoHoursLater)).toBe('오늘');
  });

  it('counts whole days ahead and behind, in each language', () => {
    const day = 86_400_000;
    expect(daysText(en, now, new Date(now.getTime() + 30 * day))).toBe('in 30 days');
    expect(daysText(ko, now, new Date(now.getTime() + 30 * day))).toBe('30일 후');
    expect(daysText(en, now, new Date(now.getTime() - day))).toBe('yesterday');
    expect(daysText(ko, now, new Date(now.getTime() - day))).toBe('어제');
    expect(daysText(en, now, new Date(now.getTime() - 3 * day))).toBe('3 days ago');
    expect(daysText(ko, now, new Date(now.getTime() - 3 * day))).toBe('3일 전');
  });

  it('a key’s expiry: the token, the days, and the words around them', () => {
    const at = new Date('2026-12-09T03:00:00Z');
    const token = slackDate(at);
    expect(expiresText(en, at, now)).toBe(`expires ${token} (in 3 days)`);
    expect(expiresText(ko, at, now)).toBe(`${token} (3일 후) 만료`);
    expect(expiresText(en, new Date('2026-12-01T00:00:00Z'), now, true)).toMatch(
      /^expired <!date\^.*\(5 days ago\)$/,
    );
    expect(expiresText(ko, null, now)).toBe('만료 없음');
    expect(expiresText(en, null, now)).toBe('never expires');
  });
});

describe('durations and requested expiries', () => {
  it('are written in the reader’s language', () => {
    expect(durationText(en, 86_400_000)).toBe('1 day');
    expect(durationText(en, 30 * 86_400_000)).toBe('30 days');
    expect(durationText(ko, 30 * 86_400_000)).toBe('30일');
    expect(durationText(ko, 12 * 3_600_000)).toBe('12시간');
    expect(durationText(en, 90_000)).toBe('2 minutes');
    expect(durationText(ko, null)).toBe('없음');
  });

  it('a requested expiry names its end as a token in mrkdwn and in the reader’s zone in plain_text', () => {
    const until = new Date(now.getTime() + 30 * 86_400_000);
    expect(expiryLineFor(en, '30d', now)).toBe(
      `30 days from creation (until about ${slackDate(until)} if created now)`,
    );
    const plain = expiryLineFor(ko, '30d', now, { plainText: true });
    expect(plain).toBe('생성 시점부터 30일 (지금 생성하면 2027. 1. 5. 23:00 (Asia/Seoul 기준)경 만료)');
    expect(plain).not.toContain('<!date');
    expect(expiryLineFor(ko, 'never', now)).toBe('만료 없음');
    expect(expiryLineFor(en, '<soon>', now)).toBe('&lt;soon&gt;');
  });
});

describe('plain_text dates', () => {
  it('are in the reader’s zone and language, with the zone named', () => {
    expect(plainDate(ko, now)).toBe('2026. 12. 6. 23:00 (Asia/Seoul 기준)');
    expect(plainDate(en, now)).toBe('Dec 6, 2026, 2:00 PM (UTC)');
    expect(plainDate(newYork, now)).toBe('Dec 6, 2026, 9:00 AM (America/New_York)');
  });
});

describe('the next day boundary', () => {
  it('is the reader’s next midnight', () => {
    expect(nextDayStart(ko, now).toISOString()).toBe('2026-12-06T15:00:00.000Z');
    expect(nextDayStart(en, now).toISOString()).toBe('2026-12-07T00:00:00.000Z');
    // The day daylight saving time ends in New York lasts 25 hours.
    expect(nextDayStart(newYork, new Date('2026-11-01T04:30:00Z')).toISOString()).toBe(
      '2026-11-02T05:00:00.000Z',
    );
  });

  it('days words written at any instant before it still read the same', () => {
    const boundary = nextDayStart(ko, now);
    const later = new Date(boundary.getTime() - 1);
    const at = new Date('2026-12-20T00:00:00Z');
    expect(daysText(ko, later, at)).toBe(daysText(ko, now, at));
    expect(daysText(ko, boundary, at)).not.toBe(daysText(ko, now, at));
  });
});

describe('IP access lists', () => {
  it('count what did not fit in the reader’s words, within the limit', () => {
    const list = Array.from({ length: 200 }, (_, i) => ({ source: `10.0.${i}.0/24`, description: 'office' }));
    const text = ipListFor(ko, list, 500);
    expect(text.length).toBeLessThanOrEqual(500);
    expect(text).toMatch(/… 외 \d+개$/);
    expect(ipListFor(en, list, 500)).toMatch(/… and \d+ more$/);
    expect(ipListFor(ko, [], 500)).toBe('(없음)');
  });
});
