import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CHAIN_LINKED_ACTION, canonicalJson, eventHash } from '../../core/audit-chain.js';
import type { AuditEvent } from '../../core/model.js';
import type { StoreDialect } from '../dialect.js';
import { auditFromRow } from '../records.js';
import type { Tables } from '../schema.js';
import type { Migration } from './migration.js';

/**
 * How the chain hashed before this migration (frozen here: it only ever reads the chain as it was
 * then). `seq` was not hashed, and events up to `legacy_through` were not chained at all.
 */
function releasedHash(event: AuditEvent, prevHash: string | null): string {
  const form = canonicalJson({
    action: event.action,
    actorId: event.actorId,
    at: event.at.toISOString(),
    detail: event.detail,
    keyId: event.keyId,
    keyName: event.keyName,
    keySuffix: event.keySuffix,
    outcome: event.outcome,
    prevHash,
    requestId: event.requestId,
    upstreamRequestId: event.upstreamRequestId,
  });
  return createHash('sha256').update(form, 'utf8').digest('hex');
}

interface ReleasedHead {
  legacyThrough: number;
  headSeq: number | null;
  headHash: string | null;
}

/**
 * The first event that did not verify by the released rules (as the released `verify` would have
 * said), or null. Also an event up to `legacy_through` that carries a hash: the bookkeeping row
 * was moved to hide chained events from the check.
 */
function releasedBreak(
  events: readonly AuditEvent[],
  head: ReleasedHead,
): { seq: number | null; problem: string } | null {
  let previous: AuditEvent | null = null;
  for (const event of events) {
    if (event.seq <= head.legacyThrough) {
      if (event.hash !== null) {
        return { seq: event.seq, problem: 'chained event counted as from before the chain (changed)' };
      }
      continue;
    }
    if (event.hash === null) return { seq: event.seq, problem: 'event has no hash (changed)' };
    if (releasedHash(event, event.prevHash) !== event.hash) {
      return { seq: event.seq, problem: 'event does not match its hash (changed)' };
    }
    if (event.prevHash !== (previous?.hash ?? null)) {
      return { seq: event.seq, problem: 'event does not follow the one before it (removed or reordered)' };
    }
    previous = event;
  }
  if ((previous?.seq ?? null) !== head.headSeq || (previous?.hash ?? null) !== head.headHash) {
    return { seq: head.headSeq, problem: 'the chain ends before its head (removed at the end)' };
  }
  return null;
}

async function readReleasedChain(db: Kysely<Tables>, dialect: StoreDialect) {
  // Locked: a replica still on the released code that is appending finishes first (PostgreSQL).
  const row = (await dialect
    .locked(db.selectFrom('audit_chain').selectAll().where('id', '=', 1))
    .executeTakeFirst()) as
    | { legacy_through: number | string; head_seq: number | string | null; head_hash: string | null }
    | undefined;
  const head: ReleasedHead = {
    legacyThrough: Number(row?.legacy_through ?? 0),
    headSeq: row?.head_seq === null || row?.head_seq === undefined ? null : Number(row.head_seq),
    headHash: row?.head_hash ?? null,
  };
  const rows = await db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
  return { head, events: rows.map((r) => auditFromRow(dialect, r)) };
}

/**
 * Every event in one chain from the first (product.md §4; issue #19 hole 9). Before, events up to
 * `legacy_through` were never checked, and one UPDATE of that row made rewritten events verify.
 * Here every event is hashed in seq order (the new form also binds each to its `seq`), the append-
 * only guard lifted for this transaction only, and the row's `legacy_through` dropped. Whatever the
 * released rules found wrong with the old chain is not laundered: an `audit.chain.linked` event
 * appended at the end records it (and the old head), and verify keeps reporting that break.
 */
export const auditChainFromTheFirst: Migration = {
  version: 6,
  name: 'audit chain: every event linked from the first, each bound to its seq',
  async up(db: Kysely<Tables>, dialect) {
    const { head, events } = await readReleasedChain(db, dialect);
    const found = releasedBreak(events, head);

    await dialect.schema.liftAuditGuard(db);
    let prevHash: string | null = null;
    for (const event of events) {
      const hash = eventHash({ ...event, prevHash });
      await db
        .updateTable('audit_events')
        .set({ prev_hash: prevHash, hash })
        .where('seq', '=', event.seq)
        .execute();
      prevHash = hash;
    }
    await dialect.schema.restoreAuditGuard(db);
    await db.schema.alterTable('audit_chain').dropColumn('legacy_through').execute();
    await dialect.schema.numberAuditEventsByChain(db);

    const last = events.at(-1);
    if (!last) return;
    const record = {
      seq: last.seq + 1,
      at: new Date(),
      actorId: 'system',
      action: CHAIN_LINKED_ACTION,
      outcome: found ? ('failed' as const) : ('ok' as const),
      requestId: null,
      keyId: null,
      keyName: null,
      keySuffix: null,
      upstreamRequestId: null,
      detail: {
        events: events.length,
        unchained: events.filter((e) => e.seq <= head.legacyThrough).length,
        previousHead: head.headSeq === null ? null : { seq: head.headSeq, hash: head.headHash },
        ...(found && { brokenAt: found.seq ?? last.seq, problem: found.problem }),
      },
      prevHash,
    };
    const hash = eventHash(record);
    await db
      .insertInto('audit_events')
      .values({
        seq: record.seq,
        at: dialect.time(record.at),
        actor_id: record.actorId,
        action: record.action,
        outcome: record.outcome,
        detail: JSON.stringify(record.detail),
        prev_hash: prevHash,
        hash,
      })
      .execute();
    await db
      .updateTable('audit_chain')
      .set({ head_seq: record.seq, head_hash: hash })
      .where('id', '=', 1)
      .execute();
  },
};
