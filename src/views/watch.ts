/**
 * What the security watch says (product.md §9): the reply under a leaking message, the owner's DM
 * with Rotate, and the security channel's notices for leaks and for key changes made outside
 * Keyhouse. Pure; never given the pasted text or secret, so they cannot show it.
 */
import type { KnownBlock } from '@slack/types';
import type {
  DriftNotice,
  LeakedKey,
  LeakOutcome,
  LeakReport,
  OwnerLeak,
  PasteSite,
  WatchedKey,
} from '../core/watch-ports.js';
import type { Messages } from '../i18n/index.js';
import { clip, fitText, LIMIT, md } from './format.js';
import { ACTION } from './ids.js';
import { mention } from './mrkdwn.js';

export interface WatchMessage {
  text: string;
  blocks?: KnownBlock[];
}

function keyLabel(key: Pick<WatchedKey, 'keyName' | 'keySuffix'>): string {
  return `*${clip(key.keyName, 100)}* (…${clip(key.keySuffix, 8)})`;
}

/** Keys named in one message; the rest are counted (product.md §9). */
export const MAX_NAMED_KEYS = 10;
/** An integration's name in a notice, at most (Slack allows 80 for a bot's name). */
const MAX_BOT_NAME = 80;

function done(m: Messages, outcome: LeakOutcome): string {
  return m.t('watch.done', { outcome });
}

/**
 * One line per named key (`• *name* (…suffix)<extra>: what was done`) and, past
 * `MAX_NAMED_KEYS`, one line counting the rest by what was done to them.
 */
function keyLines(
  m: Messages,
  keys: readonly LeakedKey[],
  extra: (key: LeakedKey) => string = () => '',
): string[] {
  const named = keys.slice(0, MAX_NAMED_KEYS);
  const lines = named.map(
    (leaked) => `• ${keyLabel(leaked.key)}${extra(leaked)}: ${done(m, leaked.outcome)}`,
  );
  const rest = keys.slice(MAX_NAMED_KEYS);
  if (rest.length > 0) {
    lines.push(m.t('watch.moreKeys', { count: rest.length, outcomes: countedOutcomes(m, rest) }));
  }
  return lines;
}

function countedOutcomes(m: Messages, keys: readonly LeakedKey[]): string {
  const counts = new Map<LeakOutcome, number>();
  for (const { outcome } of keys) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts].map(([outcome, count]) => m.t('watch.doneCounted', { count, outcome })).join(', ');
}

/**
 * The one thread reply on the leaking message: every key of ours named (up to 10), the rest
 * counted. In the channel's words (the policy's locale).
 */
export function leakThreadReply(m: Messages, report: LeakReport): WatchMessage {
  const { keys, unknown } = report;
  const parts: string[] = [];
  if (keys.length > 0) parts.push(m.t('watch.containsOurs', { count: keys.length }), ...keyLines(m, keys));
  if (unknown > 0) {
    parts.push(m.t('watch.containsUnknown', { also: keys.length > 0 ? 'yes' : 'no', count: unknown }));
  }
  parts.push(m.t('watch.deleteIt', { total: keys.length + unknown }));
  return { text: fitText(parts.join('\n'), LIMIT.text) };
}

/** One owner's DM, in their words: which of their keys were pasted, what was done, and Rotate for each that exists. */
export function leakOwnerMessage(m: Messages, leak: OwnerLeak): WatchMessage {
  const where = `<#${leak.site.channel}>`;
  const by = poster(leak.site);
  const [only] = leak.keys.length === 1 ? leak.keys : [];
  if (only) {
    const text = fitText(
      m.t('watch.ownerOne', { ...by, key: keyLabel(only.key), where, done: done(m, only.outcome) }),
      LIMIT.text,
    );
    return { text, blocks: [withRotate(m.t('watch.rotate'), text, only)] };
  }
  const text = m.t('watch.ownerMany', { ...by, count: leak.keys.length, where });
  const blocks: KnownBlock[] = [{ type: 'section', text: md(text) }];
  for (const leaked of leak.keys.slice(0, MAX_NAMED_KEYS)) {
    blocks.push(
      withRotate(m.t('watch.rotate'), `${keyLabel(leaked.key)}: ${done(m, leaked.outcome)}`, leaked),
    );
  }
  const rest = leak.keys.slice(MAX_NAMED_KEYS);
  if (rest.length > 0) {
    const counted = m.t('watch.ownerMore', { count: rest.length, outcomes: countedOutcomes(m, rest) });
    blocks.push({ type: 'context', elements: [md(counted)] });
  }
  return { text, blocks };
}

/**
 * A section of an owner's leak DM, with Rotate (`rotate`, its label) while its key still exists (one
 * button per block: ids stay unique). Leaks found outside Slack use it too.
 */
export function withRotate(rotate: string, text: string, { key, outcome }: LeakedKey): KnownBlock {
  const section: KnownBlock = { type: 'section', text: md(text) };
  if (outcome === 'deleted' || outcome === 'already_gone') return section;
  return {
    ...section,
    accessory: {
      type: 'button',
      action_id: ACTION.rotateKey,
      text: { type: 'plain_text', text: rotate },
      value: key.keyId,
      style: 'primary',
    },
  };
}

/** Who posted a message, as the notices' `by` select takes it: a person, an integration by its name, or nobody known. */
function poster(site: PasteSite): { by: 'yes' | 'bot' | 'no'; user: string; bot: string } {
  if (site.userId) return { by: 'yes', user: mention(site.userId), bot: '' };
  const name = site.botName?.trim();
  if (name) return { by: 'bot', user: '', bot: clip(name, MAX_BOT_NAME) };
  return { by: 'no', user: '', bot: '' };
}

/** The security channel's one notice of a message: who pasted what where, and what was done. */
export function leakSecurityNotice(m: Messages, report: LeakReport): WatchMessage {
  const where = `<#${report.site.channel}>`;
  const lines = [
    m.t('watch.security', {
      ...poster(report.site),
      total: report.keys.length + report.unknown,
      where,
    }),
  ];
  lines.push(
    ...keyLines(m, report.keys, ({ key }) => ` ${m.t('watch.owner', { user: mention(key.ownerId) })}`),
  );
  if (report.unknown > 0) lines.push(m.t('watch.securityUnknown', { count: report.unknown }));
  return { text: fitText(lines.join('\n'), LIMIT.text) };
}

/** The change, as the catalog's select knows it: `name-changed` → `name_changed`. */
function driftWhat(m: Messages, notice: DriftNotice): string {
  let what = notice.updateType ?? 'unknown';
  if (notice.type === 'key_create') what = 'created';
  if (notice.type === 'key_delete') what = 'deleted';
  const choice = what.replace(/-/g, '_');
  return m.t('watch.driftWhat', {
    what: /^[a-z0-9_]{1,40}$/.test(choice) ? choice : 'unknown',
    type: clip(notice.updateType ?? m.t('watch.unknown'), 40),
  });
}

function driftWho(m: Messages, notice: DriftNotice): string {
  const details = notice.actorDetails
    ? clip(notice.actorDetails, 120)
    : clip(notice.actorId ?? m.t('watch.unknown'), 60);
  return `${details} (${clip(notice.actorType ?? m.t('watch.unknown'), 20)})`;
}

function driftKey(m: Messages, notice: DriftNotice): string {
  if (notice.keyName) return keyLabel({ keyName: notice.keyName, keySuffix: notice.keySuffix ?? '????' });
  return notice.keyId ? m.t('watch.keyById', { id: clip(notice.keyId, 40) }) : m.t('watch.someKey');
}

/** The security channel's notice of a key change made outside Keyhouse. */
export function driftSecurityNotice(m: Messages, notice: DriftNotice): WatchMessage {
  const text = m.t('watch.driftSecurity', {
    who: driftWho(m, notice),
    what: driftWhat(m, notice),
    key: driftKey(m, notice),
    owner: notice.ownerId ? 'yes' : 'no',
    user: notice.ownerId ? mention(notice.ownerId) : '',
    disabled: notice.disabled ?? 'none',
  });
  return { text: fitText(text, LIMIT.text) };
}

/** The owner's DM, in their words, when their Keyhouse key was changed somewhere else. */
export function driftOwnerMessage(m: Messages, notice: DriftNotice): WatchMessage {
  const text = m.t('watch.driftOwner', {
    key: driftKey(m, notice),
    recreated: notice.type === 'key_create' || notice.updateType === 'created' ? 'yes' : 'no',
    who: driftWho(m, notice),
    what: driftWhat(m, notice),
  });
  return { text: fitText(text, LIMIT.text) };
}
