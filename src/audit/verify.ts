import { type VerifyResult, verifyChain } from '../core/audit-chain.js';
import type { AuditEvent, AuditFilter, Store } from '../core/model.js';

/** Checks the whole stored audit chain against its head (see chain.ts). */
export async function verifyAudit(store: Store): Promise<VerifyResult> {
  const head = await store.auditChainHead();
  const events = await store.listAudit();
  return verifyChain(events, head);
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
