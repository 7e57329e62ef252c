/**
 * Spans of time, expiries, IP lists and a key's one-line summary in the reader's words, for the
 * dialogs and the messages of a request's life (approval, Create key, secret).
 *
 * Dates in mrkdwn are Slack date tokens (`slackDate`), which each reader's client shows in their
 * own zone; plain_text cannot hold a token, so it gets the instant written in the reader's zone.
 * "in N days" counts the reader's calendar days (`m.day`), not 24-hour spans. Durations, plain
 * dates, requested expiries and IP lists are format.ts's (one implementation for every view); what
 * is here is what only the dialogs and a request's messages say.
 */
import { DAY_MS, HOUR_MS } from '../core/duration.js';
import type { IpAccessEntry, KeyRequest } from '../core/model.js';
import type { ExpiryChoice } from '../core/policy-model.js';
import type { KeyEntry } from '../core/ports.js';
import { KEEP } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { clip, durationText, expiryLineFor, ipListFor, plainDate, slackDate } from './format.js';
import { keyNameText, keySuffixText } from './key-list.js';
import { mention } from './mrkdwn.js';

const MINUTE_MS = 60_000;

/** `30 days`, `12 hours`, `5 minutes` (format.ts's words); `Never` for null, as an expiry option reads. */
export function durationWords(m: Messages, ms: number | null): string {
  return ms === null ? m.t('spans.never') : durationText(m, ms);
}

/** A role's longest expiry: its duration, or "no limit". */
export function longestWords(m: Messages, ms: number | null): string {
  return ms === null ? m.t('spans.noLimit') : durationWords(m, ms);
}

/** An expiry option's text, from its lifetime (the policy's own label is English). */
export function expiryChoiceText(m: Messages, choice: ExpiryChoice): string {
  return durationWords(m, choice.ms);
}

/**
 * `in 3 days`, `in 5 hours`, `2 days ago`: a day or more counts the reader's calendar days
 * between the two instants; less than that, hours or minutes (never zero).
 */
export function relativeWords(m: Messages, from: Date, to: Date): string {
  const diff = to.getTime() - from.getTime();
  const span = Math.abs(diff);
  let amount: string;
  if (span >= DAY_MS) amount = durationText(m, Math.max(1, Math.abs(m.day(to) - m.day(from))) * DAY_MS);
  else if (span >= HOUR_MS) amount = durationText(m, Math.round(span / HOUR_MS) * HOUR_MS);
  else amount = durationText(m, Math.max(1, Math.round(span / MINUTE_MS)) * MINUTE_MS);
  return diff < 0 ? m.t('spans.spanAgo', { span: amount }) : m.t('spans.inSpan', { span: amount });
}

/** Formatters per reader (language and zone) and per zone, made once: Intl formatters are costly to build. */
/** An instant for plain_text (an option, a label), where no date token works: format.ts's, in the reader's zone, named. */
export function instantPlain(m: Messages, at: Date): string {
  return plainDate(m, at);
}

/** An instant for mrkdwn: a date token each reader sees in their zone, or words for a bad date. */
export function instantToken(m: Messages, at: Date): string {
  return Number.isNaN(at.getTime()) ? m.t('format.unknownTime') : slackDate(at);
}

/**
 * A requested expiry counted from the key's creation (product.md §1): `30 days from creation
 * (until about <date> if created now)`, `never expires`, or the text as given when it is no
 * policy duration.
 */
export function expiryWords(m: Messages, expiry: string, now: Date): string {
  return expiryLineFor(m, expiry, now);
}

/** A request's expiry; a rotation's successor is bounded by the end the old key was approved for. */
export function requestExpiryWords(
  m: Messages,
  request: Pick<KeyRequest, 'expiry' | 'rotation'>,
  now: Date,
): string {
  const until = request.rotation?.until;
  const bound = until === undefined || until === 'never' ? null : new Date(until);
  if (request.expiry === KEEP) {
    return bound ? m.t('spans.untilLikeOld', { until: instantToken(m, bound) }) : m.t('spans.neverLikeOld');
  }
  const line = expiryWords(m, request.expiry, now);
  return bound ? m.t('spans.noLaterThan', { line, until: instantToken(m, bound) }) : line;
}

/** A key's real expiry: `<date> (in 30 days)`, or `never expires`. */
export function expiresAtWords(m: Messages, expireAt: Date | null, now: Date): string {
  if (expireAt === null) return m.t('format.neverExpires');
  if (Number.isNaN(expireAt.getTime())) return m.t('format.unknownTime');
  return `${slackDate(expireAt)} (${relativeWords(m, now, expireAt)})`;
}

/**
 * An IP access list as lines `source — description`, escaped, within `max` characters; entries
 * that do not fit are counted in a last line.
 */
export function ipListWords(m: Messages, list: readonly IpAccessEntry[], max: number): string {
  return ipListFor(m, list, max);
}

/** `*name* `…WXYZ` · role … · expires … · owner …`: which key a dialog is about. */
export function keySummary(m: Messages, entry: KeyEntry): string {
  const { key } = entry;
  const suffix = keySuffixText(key.keySuffix);
  const expireAt = key.expireAt === null ? null : new Date(key.expireAt);
  let expiry: string;
  if (expireAt === null) expiry = entry.expired ? m.t('spans.keyExpiredNoDate') : m.t('format.neverExpires');
  else {
    const date = instantToken(m, expireAt);
    expiry = entry.expired ? m.t('spans.keyExpired', { date }) : m.t('spans.keyExpires', { date });
  }
  return [
    `${keyNameText(m, key)}${suffix ? ` ${suffix}` : ''}`,
    m.t('spans.keyRole', { role: clip(entry.roleLabel, 200) }),
    expiry,
    entry.ownerId ? m.t('spans.keyOwner', { owner: mention(entry.ownerId) }) : m.t('spans.keyOutside'),
  ].join(' · ');
}
