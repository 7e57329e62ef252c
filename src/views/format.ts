/**
 * Words and limits shared by the renderers: instants, relative times, expiry lines, and the
 * helpers that keep user text escaped and within Slack's limits (slack-platform.md §3).
 *
 * Dates for a reader (product.md §14) take their `Messages`: a date in mrkdwn is a Slack date
 * token, which Slack writes in each reader's own zone and language, with a UTC fallback; "in 3
 * days" counts the days of the reader's calendar (`m.day`), so it reads the same all day long and
 * a rendering stays right until the reader's next midnight (`nextDayStart`). In plain_text, where
 * Slack writes no token, `plainDate` writes the date in the reader's zone and names the zone.
 */
import type { KnownBlock, MrkdwnElement, PlainTextElement } from '@slack/types';
import { checkDuration, DAY_MS, HOUR_MS } from '../core/duration.js';
import type { Locale } from '../core/locale.js';
import type { IpAccessEntry } from '../core/model.js';
import type { Messages } from '../i18n/index.js';
import { escapeMrkdwn } from './mrkdwn.js';

const MINUTE_MS = 60_000;

/** Slack's per-object limits the renderers work against. */
export const LIMIT = {
  text: 3000,
  field: 2000,
  header: 150,
  buttonText: 75,
  optionText: 75,
  optionValue: 75,
  hint: 2000,
  placeholder: 150,
  /** Top-level `text`: Slack advises about 4,000 characters. */
  messageText: 4000,
} as const;

/** `2026-12-27 14:00 UTC`: an absolute instant everyone reads the same way. */
export function formatInstant(d: Date): string {
  if (Number.isNaN(d.getTime())) return 'an unknown time';
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * A Slack date token that each reader sees in their own time zone, with `formatInstant` as the
 * fallback for clients that cannot render it. Only for mrkdwn text (not plain_text, not `text`
 * fallbacks, which notifications show raw on some clients).
 */
export function slackDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return formatInstant(d);
  const seconds = Math.floor(d.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${formatInstant(d)}>`;
}

/**
 * A Slack date token for a day without its time (`{date_short_pretty}`: today, tomorrow, or
 * `Dec 27, 2026` in the reader's zone), with the UTC day as the fallback.
 */
export function slackDay(d: Date): string {
  if (Number.isNaN(d.getTime())) return formatInstant(d);
  const seconds = Math.floor(d.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty}|${d.toISOString().slice(0, 10)}>`;
}

/** Whole days from the reader's today to `at`'s day, in their calendar: 0 today, 1 tomorrow, −1 yesterday. */
export function daysFrom(m: Messages, now: Date, at: Date): number {
  return m.day(at) - m.day(now);
}

/** `today`, `tomorrow`, `in 3 days`, `yesterday`, `3 days ago`, counted in the reader's days. */
export function daysText(m: Messages, now: Date, at: Date): string {
  const days = daysFrom(m, now, at);
  return days >= 0 ? m.t('format.daysAhead', { days }) : m.t('format.daysAgo', { days: -days });
}

/** `<date token> (in 3 days)`: the instant in the reader's zone, and how many of their days away. */
export function dateAndDays(m: Messages, at: Date, now: Date): string {
  if (Number.isNaN(at.getTime())) return m.t('format.unknownTime');
  return `${slackDate(at)} (${daysText(m, now, at)})`;
}

/**
 * A key's expiry for a reader: `expires <date> (in 30 days)`, `expired <date> (3 days ago)` or
 * `never expires`. Whether it has expired is the caller's (the workflow's clock decides).
 */
export function expiresText(m: Messages, expireAt: Date | null, now: Date, expired = false): string {
  if (expireAt === null) return m.t('format.neverExpires');
  const when = dateAndDays(m, expireAt, now);
  return m.t(expired ? 'format.expired' : 'format.expires', { when });
}

/**
 * A duration in the reader's words: `30 days`/`30일`, `12 hours`, `never`. Whole days read as
 * days, whole hours as hours, anything shorter as minutes (rounded up, never zero).
 */
export function durationText(m: Messages, ms: number | null): string {
  if (ms === null) return m.t('format.never');
  if (ms >= DAY_MS && ms % DAY_MS === 0) return m.t('format.days', { count: ms / DAY_MS });
  if (ms >= HOUR_MS && ms % HOUR_MS === 0) return m.t('format.hours', { count: ms / HOUR_MS });
  return m.t('format.minutes', { count: Math.max(1, Math.ceil(ms / MINUTE_MS)) });
}

/**
 * A requested expiry for a reader, counted from key creation (product.md §1): `30 days from
 * creation (until about <date> if created now)` or `never expires`; an expiry that is not a
 * policy duration is shown as given, escaped. `plainText` writes the date for a plain_text field.
 */
export function expiryLineFor(
  m: Messages,
  expiry: string,
  now: Date,
  options: { plainText?: boolean } = {},
): string {
  const ms = durationMs(expiry);
  if (ms === null) return m.t('format.neverExpires');
  if (ms === undefined) return options.plainText ? clipPlain(expiry, 100) : clip(expiry, 100);
  const until = new Date(now.getTime() + ms);
  return m.t('format.fromCreation', {
    duration: durationText(m, ms),
    until: options.plainText ? plainDate(m, until) : slackDate(until),
  });
}

/**
 * How each catalog's language writes a date: Intl's locale and clock. Korean reads a 24-hour
 * clock (`23:00`) as a Korean engineer writes one; ICU's 12-hour Korean now says `PM`, not `오후`.
 */
const PLAIN_DATE: Readonly<Record<Locale, { locale: string; hourCycle: 'h12' | 'h23' }>> = {
  en: { locale: 'en-US', hourCycle: 'h12' },
  ko: { locale: 'ko-KR', hourCycle: 'h23' },
};

/** One formatter per language and zone, kept: making one costs far more than using it. */
const plainFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * An instant for plain_text (a modal's label, an option, a header), where Slack writes no date
 * token: in the reader's zone and language, with the zone named (`Dec 27, 2026, 11:00 PM
 * (Asia/Seoul)`, `2026. 12. 27. 23:00 (Asia/Seoul 기준)`).
 */
export function plainDate(m: Messages, at: Date): string {
  if (Number.isNaN(at.getTime())) return m.t('format.unknownTime');
  const key = `${m.locale} ${m.timeZone}`;
  let format = plainFormats.get(key);
  if (!format) {
    const { locale, hourCycle } = PLAIN_DATE[m.locale];
    format = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      hourCycle,
      timeZone: m.timeZone,
    });
    plainFormats.set(key, format);
  }
  return m.t('format.plainDate', { date: format.format(at), zone: m.timeZone });
}

/**
 * The first instant of the reader's next day after `now`: until then every `daysText` written at
 * `now` still reads right. Found by halving (zones move by whole minutes, days last 23–25 hours).
 */
export function nextDayStart(m: Messages, now: Date): Date {
  const today = m.day(now);
  let before = now.getTime();
  let after = before + 26 * HOUR_MS;
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (m.day(new Date(middle)) > today) after = middle;
    else before = middle;
  }
  return new Date(after);
}

/** A policy duration (`30d`, `12h`) in milliseconds; null for `never`; undefined when it is not one. */
export function durationMs(expiry: string): number | null | undefined {
  const result = checkDuration(expiry, { allowNever: true });
  return 'error' in result ? undefined : result.ms;
}

/**
 * User text for mrkdwn: escaped, then fitted into `max` characters. The cut is made in the raw
 * text so an entity such as `&amp;` is never split, and it is marked with `…`.
 */
export function clip(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of text) {
    const piece = escapeMrkdwn(ch);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/** Plain text (headers, labels, options) fitted into `max` characters; plain_text needs no escaping. */
export function clipPlain(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  // By code point, so an emoji is never cut in half (a lone surrogate is not valid text).
  for (const ch of text) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * An IP access list as lines `source — description`, escaped, within `max` characters, in the
 * reader's words; entries that do not fit are counted in a last line.
 */
export function ipListFor(m: Messages, list: readonly IpAccessEntry[], max: number): string {
  if (list.length === 0) return m.t('format.noneListed');
  const lines: string[] = [];
  let used = 0;
  for (const [index, entry] of list.entries()) {
    const line = entry.description
      ? `${clip(entry.source, 60)} — ${clip(entry.description, 150)}`
      : clip(entry.source, 60);
    const rest = list.length - index - 1;
    const more = m.t('format.moreListed', { count: list.length - index });
    // Room for this line plus, if more follow, the line saying how many did not fit.
    const reserve = rest > 0 ? more.length + 8 : 0;
    if (used + line.length + 1 + reserve > max) {
      lines.push(more);
      break;
    }
    lines.push(line);
    used += line.length + 1;
  }
  return lines.join('\n');
}

/** A message body as the renderers produce it: `text` is the notification and screen-reader fallback. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** A plain_text object. */
export function plain(text: string, max: number = LIMIT.text): PlainTextElement {
  return { type: 'plain_text', text: clipPlain(text, max), emoji: true };
}

/** A mrkdwn object; callers escape user text before it gets here (see `clip`). */
export function md(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text };
}

/** A labelled section field: `*Label*\nvalue`, within the field limit. */
export function field(label: string, value: string): MrkdwnElement {
  return md(fitText(`*${label}*\n${value}`, LIMIT.field));
}

/**
 * Last-resort fit for text already escaped: cuts at a line or space boundary when it can, so no
 * mention, date token or entity is split, and marks the cut.
 */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  const cut = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(' '));
  return `${cut > 0 ? head.slice(0, cut) : head.replace(/[<&][^>;]*$/, '')}…`;
}
