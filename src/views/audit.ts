/**
 * `/chkey audit …` (product.md §4): the latest audit events as sentences an admin can read,
 * "12 Dec 10:04 — @dana approved dev-etl (developer, 30 days) for @alice". Pure: the events and
 * the requests they belong to come in, Block Kit goes out.
 */
import type { KnownBlock } from '@slack/types';
import type { AuditLine, AuditQuery } from '../core/audit-read.js';
import { clip, durationLabel, fitText, LIMIT, md } from './format.js';
import { mention } from './mrkdwn.js';

export type { AuditLine, AuditQuery } from '../core/audit-read.js';

export interface AuditListing {
  query: AuditQuery;
  lines: AuditLine[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12 Dec 10:04` in UTC (the header says so): short, and the same for every reader. */
export function auditTime(at: Date): string {
  const hh = String(at.getUTCHours()).padStart(2, '0');
  const mm = String(at.getUTCMinutes()).padStart(2, '0');
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${hh}:${mm}`;
}

/** What happened, as a verb phrase; null for an action this view has no words for (shown raw). */
const VERBS: Record<string, string> = {
  'request.submitted': 'requested',
  'request.approve': 'approved',
  'request.approved': 'approved',
  'request.deny': 'denied',
  'request.denied': 'denied',
  'request.expired': 'let expire',
  'request.withdrawn': 'withdrew',
  'request.released': 'released',
  'key.create': 'created',
  'key.created': 'created',
  'key.reveal': 'showed the secret of',
  'key.delivered': 'delivered the secret of',
  'key.enable': 'enabled',
  'key.disable': 'disabled',
  'key.delete': 'deleted',
  'key.deleted': 'deleted',
  'key.update': 'edited',
  'key.change': 'changed',
  'key.changed': 'changed',
  'key.manage': 'tried to manage',
  'key.vanished': 'found missing',
  'leak.detected': 'saw a pasted secret of',
  'leak.disable': 'disabled (leaked)',
  'leak.delete': 'deleted (leaked)',
  'drift.detected': 'saw a change outside Keyhouse to',
  'drift.disable': 'disabled (made outside Keyhouse)',
};

const OUTCOME_NOTE: Record<string, string> = {
  ok: '',
  attempt: ' _(started)_',
  failed: ' _(failed)_',
  refused: ' _(refused)_',
};

function actor(actorId: string): string {
  return /^[UW][A-Z0-9]+$/.test(actorId) ? mention(actorId) : `_${clip(actorId, 40)}_`;
}

/** The key as the event names it: name, `…suffix`, and for a request its role and expiry. */
function subject(line: AuditLine): string {
  const { event, request } = line;
  const name = event.keyName ?? request?.keyName ?? null;
  // A request event names the key as it was asked for; the suffix belongs to the key events.
  const suffix = event.keySuffix;
  const parts: string[] = [];
  if (name) parts.push(`*${clip(name, 100)}*`);
  if (suffix) parts.push(`…${clip(suffix, 8)}`);
  if (parts.length === 0) parts.push(event.requestId ? 'a request' : 'a key');
  const facts: string[] = [];
  if (request && event.action.startsWith('request.')) {
    facts.push(clip(request.roleId, 40), durationLabel(request.expiry));
  }
  return facts.length ? `${parts.join(' ')} (${facts.join(', ')})` : parts.join(' ');
}

/** One sentence per event. */
export function describeAuditEvent(line: AuditLine): string {
  const { event, request } = line;
  const verb = VERBS[event.action] ?? `\`${clip(event.action, 60)}\``;
  const who = actor(event.actorId);
  const forWhom =
    request && request.requesterId !== event.actorId && event.action.startsWith('request.')
      ? ` for ${mention(request.requesterId)}`
      : '';
  return `${auditTime(event.at)} — ${who} ${verb} ${subject(line)}${forWhom}${OUTCOME_NOTE[event.outcome] ?? ''}`;
}

function heading(query: AuditQuery): string {
  switch (query.kind) {
    case 'all':
      return 'Latest audit events';
    case 'key':
      return `Latest audit events for key ${clip(query.key, 100)}`;
    case 'user':
      return `Latest audit events by or about ${mention(query.userId)}`;
  }
}

/** The ephemeral answer to `/chkey audit …`, newest event first. */
export function auditMessage(listing: AuditListing): {
  text: string;
  blocks: KnownBlock[];
  response_type: 'ephemeral';
} {
  const title = heading(listing.query);
  if (listing.lines.length === 0) {
    const text = `${title}: nothing recorded.`;
    return { text, blocks: [{ type: 'section', text: md(text) }], response_type: 'ephemeral' };
  }
  const sentences = [...listing.lines].reverse().map(describeAuditEvent);
  // One section per event, within Slack's 50 blocks (the caller sends at most 20).
  const blocks: KnownBlock[] = [
    { type: 'section', text: md(`*${title}* (times in UTC, newest first)`) },
    ...sentences.slice(0, 45).map((s): KnownBlock => ({ type: 'section', text: md(fitText(s, LIMIT.text)) })),
  ];
  return {
    text: fitText(`${title}: ${listing.lines.length} events`, LIMIT.messageText),
    blocks,
    response_type: 'ephemeral',
  };
}

/** For anyone but an admin. */
export function auditRefused(): { text: string; response_type: 'ephemeral' } {
  return {
    text: 'Only Keyhouse admins can read the audit log. Ask an admin if you need to know what happened to a key.',
    response_type: 'ephemeral',
  };
}
