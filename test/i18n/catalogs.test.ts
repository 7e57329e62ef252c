/**
 * The catalogs agree (product.md §14): every language has the English catalog's messages, each
 * compiles in its language, and each asks for the same placeholders, the same way (a select's
 * choices included: a plural's categories are the language's own), so a view that fills a message
 * in one language fills it in every other.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '../../src/core/locale.js';
import { TRANSLATIONS } from '../../src/i18n/index.js';

type Element = {
  type: number;
  value?: string;
  options?: Record<string, { value: Element[] }>;
};

/** ICU's element types (`@formatjs/icu-messageformat-parser`'s TYPE). */
const ARGUMENT_KIND: Record<number, string> = {
  1: 'text',
  2: 'number',
  3: 'date',
  4: 'time',
  5: 'select',
  6: 'plural',
};
const TAG = 8;

/** `name: kind` for every placeholder, and `name=choice` for every choice of a select, sorted. */
function signature(elements: Element[], out = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (element.type === TAG) out.add('a tag (tags are off: write < and > only for Slack)');
    const kind = ARGUMENT_KIND[element.type];
    if (kind && element.value !== undefined) out.add(`${element.value}: ${kind}`);
    for (const [choice, option] of Object.entries(element.options ?? {})) {
      if (element.type === 5) out.add(`${element.value}=${choice}`);
      signature(option.value, out);
    }
  }
  return out;
}

function messagesOf(locale: Locale): Map<string, string> {
  const out = new Map<string, string>();
  for (const [area, messages] of Object.entries(TRANSLATIONS[locale])) {
    for (const [key, text] of Object.entries(messages as Record<string, string>))
      out.set(`${area}.${key}`, text);
  }
  return out;
}

const english = messagesOf('en');
const HANGUL = /[\uac00-\ud7a3]/;

describe('the message catalogs', () => {
  it('English has messages in every area', () => {
    expect(english.size).toBeGreaterThan(0);
    for (const messages of Object.values(TRANSLATIONS.en))
      expect(Object.keys(messages).length).toBeGreaterThan(0);
  });

  for (const locale of LOCALES) {
    it(`${locale}: has exactly the English message ids`, () => {
      expect([...messagesOf(locale).keys()].sort()).toEqual([...english.keys()].sort());
    });

    it(`${locale}: every message compiles, with the English placeholders and select choices`, () => {
      const problems: string[] = [];
      for (const [id, text] of messagesOf(locale)) {
        let ast: Element[];
        try {
          ast = new IntlMessageFormat(text, locale, undefined, { ignoreTag: true }).getAst() as Element[];
        } catch (error) {
          problems.push(`${id}: does not compile: ${(error as Error).message}`);
          continue;
        }
        const reference = new IntlMessageFormat(english.get(id) ?? '', 'en', undefined, {
          ignoreTag: true,
        }).getAst() as Element[];
        const mine = [...signature(ast)].sort();
        const theirs = [...signature(reference)].sort();
        if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
          problems.push(
            `${id}: has ${mine.join(', ') || 'none'}; English has ${theirs.join(', ') || 'none'}`,
          );
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('ko: every message is written in Korean, not left in English', () => {
    const untranslated = [...messagesOf('ko')].filter(([, text]) => !HANGUL.test(text)).map(([id]) => id);
    expect(untranslated).toEqual([]);
  });
});
