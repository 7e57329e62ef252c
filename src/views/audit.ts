/**
 * `/chkey audit …` (product.md §4): the latest audit events as sentences an admin can read,
 * "<date token> — @dana approved dev-etl (developer, 30 days) for @alice". Pure: the events and
 * the requests they belong to come in, Block Kit goes out. Every action and every kind of actor
 * has words (issue #20: no rule ids): a timed rule's event reads as Keyhouse doing what the rule does.
 */
import type { KnownBlock } from '@slack/types';
import type { AuditLine, AuditQuery } from '../core/audit-read.js';
import { KEEP } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { clip, durationMs, durationText, fitText, LIMIT, md } from './format.js';
import { mention } from './mrkdwn.js';
import { instantToken } from './phrases.js';

export type { AuditLine, AuditQuery } from '../core/audit-read.js';

export interface AuditListing {
  query: AuditQuery;
  lines: AuditLine[];
}

/**
 * When an event happened, as a Slack date token: each admin reads it in their own zone and
 * language (product.md §14), a client that cannot draw tokens the UTC fallback
 * (`2026-12-12 10:04 UTC`).
 */
export function auditTime(m: Messages, at: Date): string {
  return instantToken(m, at);
}

/**
 * Each action's verb, by the catalog's choice. A timed rule writes `timer.<rule>`: it reads as the
 * rule's own action (`timer.offboarding.check` → "checked in Slack the owner of").
 */
const VERBS: Record<string, string> = {
  'request.submitted': 'requested',
  'request.approve': 'approved',
  'request.approved': 'approved',
  'request.deny': 'denied',
  'request.denied': 'denied',
  'request.expired': 'lapsed',
  'request.withdrawn': 'withdrew',
  'request.released': 'released',
  'request.cancelled': 'cancelled',
  'key.create': 'created',
  'key.created': 'created',
  'key.reveal': 'revealed',
  'key.delivered': 'delivered',
  'key.enable': 'enabled',
  'key.disable': 'disabled',
  'key.delete': 'deleted',
  'key.deleted': 'deleted',
  'key.update': 'edited',
  'key.change': 'changed',
  'key.changed': 'changed',
  'key.manage': 'managed',
  'key.vanished': 'vanished',
  'key.keep': 'kept',
  'stale.keep': 'kept',
  'key.leak.lift': 'lifted',
  'key.reassign': 'reassigned',
  'key.retiring': 'retiring',
  'leak.detected': 'leakSeen',
  'leak.message': 'leakSeen',
  'leak.disable': 'leakDisabled',
  'leak.delete': 'leakDeleted',
  'leak.enforce': 'leakEnforced',
  'drift.detected': 'driftSeen',
  'drift.disable': 'driftDisabled',
  'drift.malformed': 'driftMalformed',
  'drift.cursor': 'driftRead',
  'drift.report': 'driftRead',
  'expiry.warning': 'expiryWarned',
  'expiry.expired': 'expiryTold',
  'expiry.delete': 'expiryDeleted',
  'stale.offer': 'staleAsked',
  'approval.remind': 'reminded',
  'approval.escalate': 'escalated',
  'offboarding.user': 'offboardStarted',
  'offboarding.key': 'offboardApplied',
  'offboarding.report': 'offboardReported',
  'offboarding.check': 'offboardChecked',
  'offboarding.reactivated': 'ownerBack',
  'rotation.retire': 'retired',
  'audit.head': 'headPosted',
  'audit.chain.linked': 'chainLinked',
  'audit.refused': 'refusedEvent',
  'service_role.create': 'serviceRoleMade',
  'service_role.cleanup': 'serviceRoleCleaned',
  'leak.outside': 'leakOutside',
  'request.announce': 'announced',
};

/** The verb's choice for an action, or null for an action this view has no words for. */
export function verbOf(action: string): string | null {
  return VERBS[action.startsWith('timer.') ? action.slice('timer.'.length) : action] ?? null;
}

const OUTCOME_NOTE = { attempt: 'audit.started', failed: 'audit.failed', refused: 'audit.refused' } as const;

/** Who acted: a person as a mention, Keyhouse itself (its timers, its watch) or its policy in words. */
function actor(m: Messages, actorId: string): string {
  if (/^[UW][A-Z0-9]+$/.test(actorId)) return mention(actorId);
  if (actorId === 'system') return m.t('audit.keyhouse');
  if (actorId === 'policy') return m.t('audit.policy');
  return `_${clip(actorId, 40)}_`;
}

/** A request's expiry as asked: `30 days`, `never`, the old key's end, or the text as given. */
function expiryWords(m: Messages, expiry: string): string {
  if (expiry === KEEP) return m.t('audit.keepExpiry');
  const ms = durationMs(expiry);
  return ms === undefined ? clip(expiry, 40) : durationText(m, ms);
}

/** The key as the event names it: name, `…suffix`, and for a request its role and expiry. */
function subject(m: Messages, line: AuditLine): string {
  const { event, request } = line;
  const name = event.keyName ?? request?.keyName ?? null;
  // A request event names the key as it was asked for; the suffix belongs to the key events.
  const suffix = event.keySuffix;
  const parts: string[] = [];
  if (name) parts.push(`*${clip(name, 100)}*`);
  if (suffix) parts.push(`…${clip(suffix, 8)}`);
  if (parts.length === 0) parts.push(m.t(event.requestId ? 'audit.aRequest' : 'audit.aKey'));
  const facts: string[] = [];
  if (request && event.action.startsWith('request.')) {
    facts.push(clip(request.roleId, 40), expiryWords(m, request.expiry));
  }
  return facts.length ? `${parts.join(' ')} (${facts.join(', ')})` : parts.join(' ');
}

/** One sentence per event, in the reader's words. */
export function describeAuditEvent(m: Messages, line: AuditLine): string {
  const { event, request } = line;
  const what = m.t('audit.verb', {
    verb: verbOf(event.action) ?? 'unknown',
    action: clip(event.action.replace(/`/g, "'"), 60),
    subject: subject(m, line),
  });
  const sentence = `${auditTime(m, event.at)} — ${actor(m, event.actorId)}${what}`;
  const forWhom =
    request && request.requesterId !== event.actorId && event.action.startsWith('request.')
      ? ` ${m.t('audit.forWhom', { user: mention(request.requesterId) })}`
      : '';
  const note =
    event.outcome in OUTCOME_NOTE ? ` ${m.t(OUTCOME_NOTE[event.outcome as keyof typeof OUTCOME_NOTE])}` : '';
  return `${sentence}${forWhom}${note}`;
}

function heading(m: Messages, query: AuditQuery): string {
  switch (query.kind) {
    case 'all':
      return m.t('audit.titleAll');
    case 'key':
      return m.t('audit.titleKey', { key: clip(query.key, 100) });
    case 'user':
      return m.t('audit.titleUser', { user: mention(query.userId) });
  }
}

/** The ephemeral answer to `/chkey audit …`, newest event first. */
export function auditMessage(
  m: Messages,
  listing: AuditListing,
): {
  text: string;
  blocks: KnownBlock[];
  response_type: 'ephemeral';
} {
  const title = heading(m, listing.query);
  if (listing.lines.length === 0) {
    const text = m.t('audit.empty', { title });
    return { text, blocks: [{ type: 'section', text: md(text) }], response_type: 'ephemeral' };
  }
  const sentences = [...listing.lines].reverse().map((line) => describeAuditEvent(m, line));
  // One section per event, within Slack's 50 blocks (the caller sends at most 20).
  const blocks: KnownBlock[] = [
    { type: 'section', text: md(m.t('audit.heading', { title })) },
    ...sentences.slice(0, 45).map((s): KnownBlock => ({ type: 'section', text: md(fitText(s, LIMIT.text)) })),
  ];
  return {
    text: fitText(m.t('audit.count', { title, count: listing.lines.length }), LIMIT.messageText),
    blocks,
    response_type: 'ephemeral',
  };
}

/** For anyone but an admin. */
export function auditRefused(m: Messages): { text: string; response_type: 'ephemeral' } {
  return { text: m.t('audit.refusedToRead'), response_type: 'ephemeral' };
}
