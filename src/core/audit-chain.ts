/**
 * The audit hash chain (product.md §4). Each event holds the SHA-256 of the event before it
 * (`prevHash`) and of itself (`hash`), over one canonical JSON form, so changing, removing or
 * reordering any stored event breaks the chain at that point and `verify` finds it.
 *
 * The canonical form is a fixed set of fields with keys sorted at every depth and no whitespace;
 * `seq` is not part of it (the database assigns it), the order is carried by `prevHash`.
 * Storage-independent on purpose: the same bytes come out of SQLite and PostgreSQL (`jsonb`
 * reorders keys, which sorting undoes; timestamps are ISO-8601 with milliseconds in both).
 */
import { createHash } from 'node:crypto';

/** The fields that are hashed: everything an audit event says, and the link to the previous one. */
export interface ChainedFields {
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
    upstreamRequestId: event.upstreamRequestId ?? null,
  });
}

/** SHA-256, lower-case hex, of the event's canonical form. */
export function eventHash(event: ChainedFields): string {
  return createHash('sha256').update(canonicalEvent(event), 'utf8').digest('hex');
}

/** One stored event as verify reads it. */
export interface StoredChainEvent extends ChainedFields {
  seq: number;
  hash: string | null;
}

/** Where the chain starts and ends, as the store's chain-head row has it. */
export interface ChainHead {
  /** Events up to this seq were written before the chain existed and carry no hash. */
  legacyThrough: number;
  headSeq: number | null;
  headHash: string | null;
}

export type VerifyResult =
  | { ok: true; events: number; legacy: number }
  | { ok: false; seq: number | null; problem: string };

/**
 * Walks the events in seq order and reports the first one that does not fit: its own hash does not
 * match its fields (changed), or its `prevHash` is not the previous event's hash (one was removed
 * before it, or the order was changed). The chain head catches a removal at the end.
 */
export function verifyChain(events: Iterable<StoredChainEvent>, head: ChainHead): VerifyResult {
  let previous: StoredChainEvent | null = null;
  let chained = 0;
  let legacy = 0;
  for (const event of events) {
    if (event.seq <= head.legacyThrough) {
      if (previous !== null) return { ok: false, seq: event.seq, problem: 'pre-chain event out of order' };
      legacy++;
      continue;
    }
    if (event.hash === null) return { ok: false, seq: event.seq, problem: 'event has no hash (changed)' };
    if (eventHash(event) !== event.hash) {
      return { ok: false, seq: event.seq, problem: 'event does not match its hash (changed)' };
    }
    const expectedPrev = previous === null ? null : previous.hash;
    if (event.prevHash !== expectedPrev) {
      return {
        ok: false,
        seq: event.seq,
        problem:
          previous === null
            ? 'first event of the chain links to an earlier one (removed)'
            : `event does not follow event ${previous.seq} (removed or reordered)`,
      };
    }
    previous = event;
    chained++;
  }
  const lastHash = previous?.hash ?? null;
  if (lastHash !== head.headHash || (previous?.seq ?? null) !== head.headSeq) {
    return {
      ok: false,
      seq: head.headSeq,
      problem: `the chain ends at ${previous ? `event ${previous.seq}` : 'no event'}, but its head says event ${head.headSeq ?? 'none'} (removed at the end)`,
    };
  }
  return { ok: true, events: chained + legacy, legacy };
}
