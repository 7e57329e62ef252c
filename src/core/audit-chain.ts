/**
 * The audit hash chain (product.md §4). Each event holds the SHA-256 of the event before it
 * (`prevHash`) and of itself (`hash`), over one canonical JSON form, so changing, removing or
 * reordering any stored event breaks the chain at that point and `verify` finds it. Every event
 * is in the chain, from the first: events written before the chain existed were linked into it
 * when the store upgraded (the `audit.chain.linked` event records that, and anything it found).
 *
 * The canonical form is a fixed set of fields with keys sorted at every depth and no whitespace.
 * `seq` is part of it: an event is bound to its place, so renumbering a row breaks its hash too.
 * Storage-independent on purpose: the same bytes come out of SQLite and PostgreSQL (`jsonb`
 * reorders keys, which sorting undoes; timestamps are ISO-8601 with milliseconds in both).
 */
import { createHash } from 'node:crypto';

/** The fields that are hashed: everything an audit event says, its place, and the link to the previous one. */
export interface ChainedFields {
  seq: number;
  at: Date;
  actorId: string;
  action: string;
  outcome: string;
  requestId: string | null;
  keyId: string | null;
  keyName: string | null;
  keySuffix: string | null;
  upstreamRequestId: string | null;
  detail: Record<string, unknown> | null;
  prevHash: string | null;
}

/** JSON with object keys sorted at every depth; `undefined` members dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

/** The exact bytes hashed for one event. */
export function canonicalEvent(event: ChainedFields): string {
  return canonicalJson({
    action: event.action,
    actorId: event.actorId,
    at: event.at.toISOString(),
    detail: event.detail ?? null,
    keyId: event.keyId ?? null,
    keyName: event.keyName ?? null,
    keySuffix: event.keySuffix ?? null,
    outcome: event.outcome,
    prevHash: event.prevHash ?? null,
    requestId: event.requestId ?? null,
    seq: event.seq,
    upstreamRequestId: event.upstreamRequestId ?? null,
  });
}

/** SHA-256, lower-case hex, of the event's canonical form. */
export function eventHash(event: ChainedFields): string {
  return createHash('sha256').update(canonicalEvent(event), 'utf8').digest('hex');
}

/** One stored event as verify reads it. */
export interface StoredChainEvent extends ChainedFields {
  hash: string | null;
}

/** The chain's last event, as the store's chain-head row has it. */
export interface ChainHead {
  headSeq: number | null;
  headHash: string | null;
}

/**
 * The event the store's upgrade appended after linking the events from before the chain (and
 * re-linking the rest) into one chain. Its detail says what the upgrade found in the old chain;
 * `brokenAt` is the first event that did not verify then, which verify keeps reporting.
 */
export const CHAIN_LINKED_ACTION = 'audit.chain.linked';

export type VerifyResult = { ok: true; events: number } | { ok: false; seq: number | null; problem: string };

/** Why `event` does not fit after `previous`, or null when it does. */
function linkProblem(event: StoredChainEvent, previous: StoredChainEvent | null): string | null {
  if (event.hash === null) return 'event has no hash (changed)';
  // The link first: an event moved to another place still links to its old predecessor, which
  // says more than its hash (bound to its old seq) no longer matching.
  if (event.prevHash !== (previous?.hash ?? null)) {
    return previous === null
      ? 'first event links to an earlier one (removed)'
      : `event does not follow event ${previous.seq} (removed or reordered)`;
  }
  return eventHash(event) === event.hash ? null : 'event does not match its hash (changed)';
}

/** A break the upgrade found and recorded in the chain itself (see CHAIN_LINKED_ACTION). */
function recordedBreak(event: StoredChainEvent): { seq: number; problem: string } | null {
  if (event.action !== CHAIN_LINKED_ACTION || typeof event.detail?.brokenAt !== 'number') return null;
  const found = typeof event.detail.problem === 'string' ? event.detail.problem : 'chain broken';
  return {
    seq: event.detail.brokenAt,
    problem: `${found}; found when the chain was linked on upgrade, as event ${event.seq} records`,
  };
}

/**
 * Walks every event in seq order, from the first, and reports the first one that does not fit: its
 * own hash does not match its fields (changed, renumbered), or its `prevHash` is not the previous
 * event's hash (one was removed before it, or the order was changed). The chain head catches a
 * removal at the end. Events and head must come from one snapshot of the store.
 */
export function verifyChain(events: Iterable<StoredChainEvent>, head: ChainHead): VerifyResult {
  let previous: StoredChainEvent | null = null;
  let count = 0;
  for (const event of events) {
    const problem = linkProblem(event, previous);
    if (problem !== null) return { ok: false, seq: event.seq, problem };
    // An authentic record of an earlier break: that event is the first bad one.
    const recorded = recordedBreak(event);
    if (recorded) return { ok: false, ...recorded };
    previous = event;
    count++;
  }
  const lastHash = previous?.hash ?? null;
  if (lastHash !== head.headHash || (previous?.seq ?? null) !== head.headSeq) {
    return {
      ok: false,
      seq: head.headSeq,
      problem: `the chain ends at ${previous ? `event ${previous.seq}` : 'no event'}, but its head says event ${head.headSeq ?? 'none'} (removed at the end)`,
    };
  }
  return { ok: true, events: count };
}

/** A chain head someone noted (Keyhouse posts one a day): `<seq>:<hash>`. */
export interface NotedHead {
  seq: number;
  hash: string;
}

/** `<seq>:<hash>` as posted, or null when it is not one. */
export function parseNotedHead(text: string): NotedHead | null {
  const match = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim());
  if (!match) return null;
  return { seq: Number(match[1]), hash: match[2]! };
}

/**
 * Whether a chain that verifies still holds a head noted earlier: its event `seq` has that hash.
 * Every hash covers the one before it, so nothing up to that event was rewritten since, not even
 * by someone who recomputed the whole chain after rewriting it.
 */
export function holdsHead(events: Iterable<StoredChainEvent>, noted: NotedHead): string | null {
  let last: StoredChainEvent | null = null;
  for (const event of events) {
    if (event.seq === noted.seq) {
      return event.hash === noted.hash
        ? null
        : `event ${noted.seq} has hash ${event.hash ?? 'none'}, not ${noted.hash}: the history up to it was rewritten`;
    }
    last = event;
  }
  const end =
    last === null ? 'it has no event' : last.seq < noted.seq ? `it ends at event ${last.seq}` : null;
  return `the chain has no event ${noted.seq}${end ? ` (${end})` : ''}: the history was rewritten or removed`;
}
