/**
 * A key list message is drawn once per list, page and reader, and reused until the reader's next
 * midnight (product.md §14); a new list, page, language or zone draws again.
 */
import { describe, expect, it } from 'vitest';
import type { Reader } from '../../src/core/locale.js';
import { RenderedLists } from '../../src/handlers/shared/rendered-lists.js';
import { keyEntry } from '../views/fixtures.js';

const seoul: Reader = { locale: 'ko', timeZone: 'Asia/Seoul' };
const now = new Date('2026-12-06T12:00:00Z');
const midnight = new Date('2026-12-06T15:00:00Z');

describe('rendered key lists', () => {
  it('draw once and hand out the same frozen message until the reader’s next day', () => {
    const rendered = new RenderedLists<{ text: string }>();
    const list = [keyEntry()];
    let draws = 0;
    const draw = () => ({ message: { text: `drawn ${++draws}` }, until: midnight });
    const first = rendered.message(list, 0, seoul, now, draw);
    expect(rendered.message(list, 0, seoul, new Date(midnight.getTime() - 1), draw)).toBe(first);
    expect(draws).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
    expect(rendered.message(list, 0, seoul, midnight, draw).text).toBe('drawn 2');
  });

  it('draw again for another list, page, language or zone', () => {
    const rendered = new RenderedLists<{ text: string }>();
    const list = [keyEntry()];
    let draws = 0;
    const draw = () => ({ message: { text: `drawn ${++draws}` }, until: midnight });
    rendered.message(list, 0, seoul, now, draw);
    rendered.message([keyEntry()], 0, seoul, now, draw);
    rendered.message(list, 1, seoul, now, draw);
    rendered.message(list, 0, { locale: 'en', timeZone: 'Asia/Seoul' }, now, draw);
    rendered.message(list, 0, { locale: 'ko', timeZone: 'UTC' }, now, draw);
    expect(draws).toBe(5);
    rendered.message(list, 1, seoul, now, draw);
    expect(draws).toBe(5);
  });

  it('keep a few messages per list, the least recently drawn going first', () => {
    const rendered = new RenderedLists<{ page: number }>();
    const list = [keyEntry()];
    const drawn: number[] = [];
    const draw = (page: number) => () => {
      drawn.push(page);
      return { message: { page }, until: midnight };
    };
    for (let page = 0; page < 9; page++) rendered.message(list, page, seoul, now, draw(page));
    rendered.message(list, 8, seoul, now, draw(8));
    rendered.message(list, 0, seoul, now, draw(0));
    expect(drawn).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
  });

  it('hand out a kept message as JSON, made once, and nothing once the reader’s day ends', () => {
    const rendered = new RenderedLists<{ text: string }>();
    const list = [keyEntry()];
    expect(rendered.jsonAtHand(list, 0, seoul, now)).toBeNull();
    rendered.message(list, 0, seoul, now, () => ({ message: { text: '목록' }, until: midnight }));
    const json = rendered.jsonAtHand(list, 0, seoul, now);
    expect(json).toBe('{"text":"목록"}');
    expect(rendered.jsonAtHand(list, 0, seoul, now)).toBe(json);
    expect(rendered.jsonAtHand(list, 1, seoul, now)).toBeNull();
    expect(rendered.jsonAtHand(list, 0, { locale: 'en', timeZone: 'Asia/Seoul' }, now)).toBeNull();
    expect(rendered.jsonAtHand(list, 0, seoul, midnight)).toBeNull();
  });
});
