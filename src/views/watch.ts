/**
 * What the security watch says (product.md §9): the reply under a leaking message, the owner's DM
 * with Rotate, and the security channel's notices for leaks and for key changes made outside
 * Keyhouse. Pure; never given the pasted text or secret, so they cannot show it.
 */
import type { KnownBlock } from '@slack/types';
import type { DriftNotice, LeakNotice, LeakOutcome, WatchedKey } from '../core/watch-ports.js';
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

const DONE: Record<LeakOutcome, string> = {
  disabled: 'Keyhouse disabled the key',
  deleted: 'Keyhouse deleted the key',
  reported: 'The key still works: the policy only reports leaks',
  already_gone: 'The key no longer exists in ClickHouse',
  failed: 'Keyhouse could not disable the key; an admin must do it now',
};

/** The thread reply on the leaking message. */
export function leakThreadReply(notice: LeakNotice): WatchMessage {
  const text =
    notice.kind === 'known'
      ? `⚠️ This message contains the secret of the ClickHouse API key ${keyLabel(notice.key)}. ` +
        `${DONE[notice.outcome]}. Please delete this message: anyone who can read it can use the key.`
      : '⚠️ This message contains what looks like a ClickHouse Cloud API key secret that Keyhouse did not issue. ' +
        'Please delete this message, and disable or rotate that key in the ClickHouse Cloud console.';
  return { text: fitText(text, LIMIT.text) };
}

/** The owner's DM: what happened, and Rotate while the key still exists. */
export function leakOwnerMessage(notice: Extract<LeakNotice, { kind: 'known' }>): WatchMessage {
  const where = `<#${notice.site.channel}>`;
  const by = notice.site.userId ? ` by ${mention(notice.site.userId)}` : '';
  const text = fitText(
    `🚨 The secret of your ClickHouse API key ${keyLabel(notice.key)} was pasted${by} in ${where}. ` +
      `${DONE[notice.outcome]}. Rotate it to get a new secret, and update whatever used the old one.`,
    LIMIT.text,
  );
  const blocks: KnownBlock[] = [{ type: 'section', text: md(text) }];
  if (notice.outcome !== 'deleted' && notice.outcome !== 'already_gone') {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.rotateKey,
          text: { type: 'plain_text', text: 'Rotate' },
          value: notice.key.keyId,
          style: 'primary',
        },
      ],
    });
  }
  return { text, blocks };
}

/** The security channel's notice of a pasted secret. */
export function leakSecurityNotice(notice: LeakNotice): WatchMessage {
  const where = `<#${notice.site.channel}>`;
  const by = notice.site.userId ? mention(notice.site.userId) : 'someone';
  const text =
    notice.kind === 'known'
      ? `🚨 Leak: ${by} pasted the secret of ${keyLabel(notice.key)} (owner ${mention(notice.key.ownerId)}) in ${where}. ${DONE[notice.outcome]}.`
      : `🚨 Leak: ${by} pasted a ClickHouse secret not issued by Keyhouse in ${where}. Find its key in the ClickHouse Cloud console and disable it.`;
  return { text: fitText(text, LIMIT.text) };
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
