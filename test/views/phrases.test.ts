/** Spans, instants and expiries in the reader's words and zone (src/views/phrases.ts). */
import { describe, expect, it } from 'vitest';
import { durationWords, expiryWords, instantPlain, relativeWords } from '../../src/views/phrases.js';
import { english, korean, words } from '../support/words.js';

const AT = new Date('2026-12-27T14:00:00.000Z');

describe('phrases', () => {
  it('writes an instant for plain_text in the reader’s language and zone, the zone named', () => {
    expect(instantPlain(english, AT)).toBe('Dec 27, 2026, 2:00 PM (UTC)');
    expect(instantPlain(korean, AT)).toBe('2026. 12. 27. 23:00 (Asia/Seoul 기준)');
    expect(instantPlain(english, new Date(Number.NaN))).toBe('an unknown time');
  });

  it('counts "in N days" in the reader’s calendar, not in 24-hour spans', () => {
    const from = new Date('2026-11-27T14:00:00.000Z'); // 23:00 in Seoul
    const to = new Date('2026-11-28T16:00:00.000Z'); // 01:00 two Seoul days later
    expect(relativeWords(english, from, to)).toBe('in 1 day');
    expect(relativeWords(words('ko', 'Asia/Seoul'), from, to)).toBe('2일 후');
    expect(relativeWords(english, to, from)).toBe('1 day ago');
    expect(relativeWords(english, from, new Date(from.getTime() + 5 * 3_600_000))).toBe('in 5 hours');
  });

  it('says durations and requested expiries with the language’s plurals', () => {
    expect(durationWords(english, 86_400_000)).toBe('1 day');
    expect(durationWords(english, 30 * 86_400_000)).toBe('30 days');
    expect(durationWords(korean, 36 * 3_600_000)).toBe('36시간');
    expect(durationWords(korean, null)).toBe('만료 없음');
    expect(expiryWords(korean, '30d', AT)).toMatch(/^생성 시점부터 30일 \(지금 생성하면 <!date\^\d+\^/);
    expect(expiryWords(english, 'never', AT)).toBe('never expires');
  });
});
