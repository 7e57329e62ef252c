import { holdsHead, type NotedHead, type VerifyResult, verifyChain } from '../core/audit-chain.js';
import type { AuditEvent, AuditFilter, Store } from '../core/model.js';

/**
 * Checks the whole stored audit chain against its head, both read in one snapshot (core/audit-chain.ts);
 * with `noted`, also that the chain still holds that head (one Keyhouse posted earlier).
 */
export async function verifyAudit(store: Store, noted?: NotedHead): Promise<VerifyResult> {
  const { head, events } = await store.readAuditChain();
  const result = verifyChain(events, head);
  if (!result.ok || noted === undefined) return result;
  const problem = holdsHead(events, noted);
  return problem === null ? result : { ok: false, seq: noted.seq, problem };
}

/** One audit event as a JSON Lines record: every field, timestamps in ISO-8601. */
export function exportLine(event: AuditEvent): string {
  return JSON.stringify({ ...event, at: event.at.toISOString() });
}

/** Events for `export`, oldest first. */
export function exportAudit(
  store: Store,
  range: Pick<AuditFilter, 'since' | 'until'>,
): Promise<AuditEvent[]> {
  return store.listAudit(range);
}
