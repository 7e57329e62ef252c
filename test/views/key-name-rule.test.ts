/** The policy's key-name pattern in words (issue #20 item 2): what is read, and what is not guessed at. */
import { describe, expect, it } from 'vitest';
import { keyNameHint, keyNameMaxLength, keyNameRule } from '../../src/views/key-name-rule.js';
import { english, korean } from '../support/words.js';

describe('keyNameRule', () => {
  it('reads length, characters and the first character of the usual shapes', () => {
    const rule = keyNameRule('^[a-z0-9][a-z0-9-]{2,40}$');
    expect(rule).toMatchObject({ min: 3, max: 41 });
    expect([...(rule?.allowed ?? [])].sort()).toEqual(['dash', 'digit', 'lower']);
    expect([...(rule?.notFirst ?? [])]).toEqual(['dash']);
    expect(keyNameRule('[A-Za-z0-9 _.-]{1,64}')).toMatchObject({ min: 1, max: 64 });
    expect([...(keyNameRule('^[A-Z][A-Z_]*$')?.notFirst ?? [])]).toEqual(['underscore']);
    expect(keyNameRule('^\\d{8}$')).toMatchObject({ min: 8, max: 8 });
  });

  it("caps an open-ended pattern at Keyhouse's own 64 characters", () => {
    expect(keyNameRule('^[a-z]+$')).toMatchObject({ min: 1, max: 64 });
    expect(keyNameMaxLength('^[a-z]+$')).toBe(64);
    expect(keyNameMaxLength('^[a-z]{3,10}$')).toBe(10);
  });

  it('does not guess at alternatives, groups, partial ranges or negated classes', () => {
    for (const pattern of ['^(etl|bi)-[a-z]+$', '^[a-f0-9]{8}$', '^[^ ]+$', '^etl-[a-z]+$', '^[a-z]{5,2}$'])
      expect(keyNameRule(pattern), pattern).toBeNull();
    expect(keyNameMaxLength('^(etl|bi)-[a-z]+$')).toBe(64);
  });
});

describe('keyNameHint', () => {
  it('says the rule in each language', () => {
    const rule = { pattern: '^[a-z0-9][a-z0-9-]{2,40}$', hint: 'the policy author’s words' };
    expect(keyNameHint(english, rule)).toBe(
      '3 to 41 characters: lowercase letters, digits, and dashes. It cannot start with a dash.',
    );
    expect(keyNameHint(korean, rule)).toBe(
      '3~41자, 영문 소문자, 숫자 및 하이픈(-)만 쓸 수 있습니다. 이름은 하이픈(-)(으)로 시작할 수 없습니다.',
    );
    expect(keyNameHint(english, { pattern: '^\\d{8}$', hint: null })).toBe('8 characters: digits.');
  });

  it("falls back to the policy's hint, then to the pattern", () => {
    expect(keyNameHint(korean, { pattern: '^(etl|bi)-[a-z]+$', hint: 'etl- or bi- first' })).toBe(
      'etl- or bi- first',
    );
    expect(keyNameHint(korean, { pattern: '^(etl|bi)-[a-z]+$', hint: null })).toBe(
      '이름이 다음 패턴과 일치해야 합니다: ^(etl|bi)-[a-z]+$',
    );
  });
});
