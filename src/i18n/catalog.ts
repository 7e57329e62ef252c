/**
 * The message catalogs (product.md §14): every sentence, label and option a person reads, in
 * English and Korean, written in ICU MessageFormat and formatted by `intl-messageformat`.
 *
 * A catalog is a set of areas (`en/keys.ts`, `ko/keys.ts`, …), so work on one part of Keyhouse
 * rarely touches another's file. English is the reference: its areas and keys are the message
 * ids (`keys.listTitle`), and every other language must have exactly the same ones, with the same
 * placeholders (the compiler checks the keys, test/i18n/catalogs.test.ts the placeholders).
 *
 * Messages hold mrkdwn where they end up in mrkdwn (`*bold*`, `` `code` ``); values are put in as
 * they are, so the views escape user text before they pass it (`clip`). Tags are off (`<#C1>` and
 * `<@U1>` are Slack's, not ICU's), and `'` is ICU's quote only before `{`, `}`, `#` or another `'`.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import type { Locale, Reader } from '../core/locale.js';
import { en } from './en/index.js';
import { ko } from './ko/index.js';

/** The English catalog: its shape is every catalog's. */
export type Catalogs = typeof en;
export type Area = keyof Catalogs;

/** `area.key`, for every message of the English catalog. */
export type MessageId = { [A in Area]: `${A}.${keyof Catalogs[A] & string}` }[Area];

/** One area of a translation: the English area's keys, each a message, and no others. */
export type AreaOf<English> = { readonly [K in keyof English]: string };

/** A whole translation: every area of the English catalog. */
export type Translation = { readonly [A in Area]: AreaOf<Catalogs[A]> };

/** What a message's placeholders are filled with: text already safe where it goes, or numbers. */
export type Values = Readonly<Record<string, string | number>>;

/** The words of one reader: their language, their time zone, and each message formatted in it. */
export interface Messages extends Reader {
  t(id: MessageId, values?: Values): string;
  /**
   * The reader's calendar day of an instant, as a day number (days since 1970-01-01 in their
   * zone), so "in 3 days" counts the days they live through, not 72-hour spans.
   */
  day(at: Date): number;
}

/** Every language's catalog, by locale. */
export const TRANSLATIONS: Readonly<Record<Locale, Translation>> = { en, ko };

type Compiled = IntlMessageFormat | string;

/**
 * Compiles messages once, when first used, and keeps them: a key list formats dozens per page,
 * on the hot path of `/chkey list`. A message without placeholders is kept as its text.
 */
export class Catalog {
  readonly #translations: Readonly<Record<Locale, Translation>>;
  readonly #compiled: Record<Locale, Map<string, Compiled>> = { en: new Map(), ko: new Map() };
  readonly #readers = new Map<string, Messages>();

  constructor(translations: Readonly<Record<Locale, Translation>> = TRANSLATIONS) {
    this.#translations = translations;
  }

  /** The messages for one reader; the same object for the same locale and zone. */
  messages(reader: Reader): Messages {
    const key = `${reader.locale} ${reader.timeZone}`;
    let messages = this.#readers.get(key);
    if (!messages) {
      const { locale, timeZone } = reader;
      messages = {
        locale,
        timeZone,
        t: (id, values) => this.format(locale, id, values),
        day: dayCounter(timeZone),
      };
      this.#readers.set(key, messages);
    }
    return messages;
  }

  /** One message in one language. A placeholder left without a value throws (a bug in a view). */
  format(locale: Locale, id: MessageId, values?: Values): string {
    const compiled = this.#compile(locale, id);
    if (typeof compiled === 'string') return compiled;
    return String(compiled.format(values as Record<string, string | number> | undefined));
  }

  #compile(locale: Locale, id: MessageId): Compiled {
    const cache = this.#compiled[locale];
    const known = cache.get(id);
    if (known !== undefined) return known;
    const dot = id.indexOf('.');
    const area = this.#translations[locale][id.slice(0, dot) as Area] as Readonly<Record<string, string>>;
    const source = area?.[id.slice(dot + 1)];
    if (source === undefined) throw new RangeError(`no message ${id} in the ${locale} catalog`);
    const format = new IntlMessageFormat(source, locale, undefined, { ignoreTag: true });
    // Type 0 is a literal: a message of literals alone formats to the same text every time.
    const compiled: Compiled = format.getAst().every((element) => element.type === 0)
      ? String(format.format())
      : format;
    cache.set(id, compiled);
    return compiled;
  }
}

const DAY_MS = 86_400_000;

/** Day numbers in one zone: UTC by arithmetic, any other through one formatter kept for it. */
function dayCounter(timeZone: string): (at: Date) => number {
  if (timeZone === 'UTC') return (at) => Math.floor(at.getTime() / DAY_MS);
  // en-CA writes `2026-11-27`, which Date.parse reads as that day's UTC midnight.
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return (at) => Math.floor(Date.parse(format.format(at)) / DAY_MS);
}
