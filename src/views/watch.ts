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
  WatchedKey,
} from '../core/watch-ports.js';
import { clip, fitText, LIMIT, md, plural } from './format.js';
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

const DONE: Record<LeakOutcome, string> = {
  disabled: 'Keyhouse disabled the key',
  deleted: 'Keyhouse deleted the key',
  reported: 'The key still works: the policy only reports leaks',
  already_disabled: 'Keyhouse had already disabled the key when its secret was first seen',
  already_gone: 'The key no longer exists in ClickHouse',
  failed: 'Keyhouse could not disable the key yet; it keeps trying, and an admin may disable it now',
};

/** What was done, as a count of keys (`2 disabled`), for the keys past those named. */
const DONE_COUNTED: Record<LeakOutcome, string> = {
  disabled: 'disabled',
  deleted: 'deleted',
  reported: 'still working (the policy only reports leaks)',
  already_disabled: 'already disabled for an earlier leak',
  already_gone: 'already gone',
  failed: 'not disabled yet: Keyhouse keeps trying',
};

/**
 * One line per named key (`• *name* (…suffix)<extra>: what was done`) and, past
 * `MAX_NAMED_KEYS`, one line counting the rest by what was done to them.
 */
function keyLines(keys: readonly LeakedKey[], extra: (key: LeakedKey) => string = () => ''): string[] {
  const named = keys.slice(0, MAX_NAMED_KEYS);
  const lines = named.map((leaked) => `• ${keyLabel(leaked.key)}${extra(leaked)}: ${DONE[leaked.outcome]}`);
  const rest = keys.slice(MAX_NAMED_KEYS);
  if (rest.length > 0) lines.push(`• and ${plural(rest.length, 'more key')}: ${countedOutcomes(rest)}`);
  return lines;
}

function countedOutcomes(keys: readonly LeakedKey[]): string {
  const counts = new Map<LeakOutcome, number>();
  for (const { outcome } of keys) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${n} ${DONE_COUNTED[outcome]}`).join(', ');
}

function notIssued(count: number): string {
  return count === 1
    ? 'what looks like a ClickHouse Cloud API key secret that Keyhouse did not issue'
    : `${count} strings that look like ClickHouse Cloud API key secrets that Keyhouse did not issue`;
}

/** The one thread reply on the leaking message: every key of ours named (up to 10), the rest counted. */
export function leakThreadReply(report: LeakReport): WatchMessage {
  const { keys, unknown } = report;
  const parts: string[] = [];
  if (keys.length > 0) {
    const which =
      keys.length === 1
        ? 'the secret of a ClickHouse API key'
        : `the secrets of ${keys.length} ClickHouse API keys`;
    parts.push(`⚠️ This message contains ${which} that Keyhouse issued:`, ...keyLines(keys));
  }
  if (unknown > 0) {
    const those = unknown === 1 ? 'that key' : 'those keys';
    parts.push(
      `${keys.length > 0 ? 'It also contains' : '⚠️ This message contains'} ${notIssued(unknown)}: ` +
        `disable or rotate ${those} in the ClickHouse Cloud console.`,
    );
  }
  const total = keys.length + unknown;
  parts.push(
    `Please delete this message: anyone who can read it can use ${total === 1 ? 'the key' : 'these keys'}.`,
  );
  return { text: fitText(parts.join('\n'), LIMIT.text) };
}

/** One owner's DM: which of their keys were pasted, what was done, and Rotate for each that exists. */
export function leakOwnerMessage(leak: OwnerLeak): WatchMessage {
  const where = `<#${leak.site.channel}>`;
  const by = leak.site.userId ? ` by ${mention(leak.site.userId)}` : '';
  const [only] = leak.keys.length === 1 ? leak.keys : [];
  if (only) {
    const text = fitText(
      `🚨 The secret of your ClickHouse API key ${keyLabel(only.key)} was pasted${by} in ${where}. ` +
        `${DONE[only.outcome]}. Rotate it to get a new secret, and update whatever used the old one.`,
      LIMIT.text,
    );
    return { text, blocks: [withRotate(text, only)] };
  }
  const text =
    `🚨 The secrets of ${leak.keys.length} of your ClickHouse API keys were pasted${by} in ${where}. ` +
    'Rotate each to get a new secret, and update whatever used the old one.';
  const blocks: KnownBlock[] = [{ type: 'section', text: md(text) }];
  for (const leaked of leak.keys.slice(0, MAX_NAMED_KEYS)) {
    blocks.push(withRotate(`${keyLabel(leaked.key)}: ${DONE[leaked.outcome]}`, leaked));
  }
  const rest = leak.keys.slice(MAX_NAMED_KEYS);
  if (rest.length > 0) {
    const counted = `And ${plural(rest.length, 'more key')}: ${countedOutcomes(rest)}. Rotate them from your key list.`;
    blocks.push({ type: 'context', elements: [md(counted)] });
  }
  return { text, blocks };
}

/** A section of the owner's DM, with Rotate while its key still exists (one button per block: ids stay unique). */
function withRotate(text: string, { key, outcome }: LeakedKey): KnownBlock {
  const section: KnownBlock = { type: 'section', text: md(text) };
  if (outcome === 'deleted' || outcome === 'already_gone') return section;
  return {
    ...section,
    accessory: {
      type: 'button',
      action_id: ACTION.rotateKey,
      text: { type: 'plain_text', text: 'Rotate' },
      value: key.keyId,
      style: 'primary',
    },
  };
}

/** The security channel's one notice of a message: who pasted what where, and what was done. */
export function leakSecurityNotice(report: LeakReport): WatchMessage {
  const where = `<#${report.site.channel}>`;
  const by = report.site.userId ? mention(report.site.userId) : 'someone';
  const total = report.keys.length + report.unknown;
  const lines = [
    `🚨 Leak: ${by} pasted ${total === 1 ? 'a ClickHouse secret' : `${total} ClickHouse secrets`} in ${where}.`,
  ];
  lines.push(...keyLines(report.keys, ({ key }) => ` (owner ${mention(key.ownerId)})`));
  if (report.unknown > 0) {
    const one = report.unknown === 1;
    lines.push(
      `• ${one ? 'One' : report.unknown} not issued by Keyhouse: find ${one ? 'its key' : 'their keys'} ` +
        `in the ClickHouse Cloud console and disable ${one ? 'it' : 'them'}.`,
    );
  }
  return { text: fitText(lines.join('\n'), LIMIT.text) };
}

const UPDATE_WORDS: Record<string, string> = {
  created: 'created',
  deleted: 'deleted',
  'name-changed': 'renamed',
  'role-changed': 'changed the role of',
  'state-changed': 'enabled or disabled',
  'date-changed': 'changed the expiry of',
  'ip-access-list-changed': 'changed the IP access list of',
  'org-role-changed': 'changed the organization role of',
  'default-service-role-changed': 'changed the default service role of',
  'service-role-changed': 'changed a service role of',
  'roles-v2-changed': 'changed the roles of',
};

function driftWhat(notice: DriftNotice): string {
  if (notice.type === 'key_create') return 'created';
  if (notice.type === 'key_delete') return 'deleted';
  return (
    (notice.updateType && UPDATE_WORDS[notice.updateType]) ??
    `changed (${clip(notice.updateType ?? 'unknown', 40)})`
  );
}

function driftWho(notice: DriftNotice): string {
  const details = notice.actorDetails
    ? clip(notice.actorDetails, 120)
    : clip(notice.actorId ?? 'unknown', 60);
  return `${details} (${clip(notice.actorType ?? 'unknown', 20)})`;
}

function driftKey(notice: DriftNotice): string {
  if (notice.keyName) return keyLabel({ keyName: notice.keyName, keySuffix: notice.keySuffix ?? '????' });
  return notice.keyId ? `key \`${clip(notice.keyId, 40)}\`` : 'a key';
}

/** The security channel's notice of a key change made outside Keyhouse. */
export function driftSecurityNotice(notice: DriftNotice): WatchMessage {
  const owner = notice.ownerId ? `, a Keyhouse key of ${mention(notice.ownerId)}` : ', not a Keyhouse key';
  const disabled =
    notice.disabled === 'disabled'
      ? ' Keyhouse disabled it (the policy disables keys made outside Keyhouse).'
      : notice.disabled === 'failed'
        ? ' Keyhouse could not disable it; an admin must.'
        : '';
  const text = `🔎 Outside Keyhouse: ${driftWho(notice)} ${driftWhat(notice)} ${driftKey(notice)}${owner}.${disabled}`;
  return { text: fitText(text, LIMIT.text) };
}

/** The owner's DM when their Keyhouse key was changed somewhere else. */
export function driftOwnerMessage(notice: DriftNotice): WatchMessage {
  const text = `🔎 Your ClickHouse API key ${driftKey(notice)} was ${driftWhat(notice) === 'created' ? 'recreated' : 'changed'} outside Keyhouse: ${driftWho(notice)} ${driftWhat(notice)} it. If you did not expect this, tell your Keyhouse admins.`;
  return { text: fitText(text, LIMIT.text) };
}
