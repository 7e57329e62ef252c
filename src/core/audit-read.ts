/**
 * Reading the audit log for people (`/chkey audit …`, admins only): the newest matching events,
 * each with the request it concerns so it can be told as a sentence.
 */
import type { AuditEvent, AuditFilter, KeyRequest, Store } from './model.js';

export type AuditQuery = { kind: 'all' } | { kind: 'key'; key: string } | { kind: 'user'; userId: string };

/** One event with the request it concerns (key, role, expiry, requester), if any. */
export interface AuditLine {
  event: AuditEvent;
  request: KeyRequest | null;
}

export const AUDIT_PAGE = 20;

/**
 * The newest `limit` matching events, oldest first. `attempt` events are left out: each is followed
 * by its outcome (`ok`, `failed`, `refused`), which says the same thing and more; export keeps them.
 */
export async function readAudit(store: Store, query: AuditQuery, limit = AUDIT_PAGE): Promise<AuditLine[]> {
  const filter: AuditFilter = { newest: true, limit: limit * 4 };
  if (query.kind === 'key') filter.key = query.key;
  if (query.kind === 'user') filter.user = query.userId;
  const events = (await store.listAudit(filter)).filter((e) => e.outcome !== 'attempt').slice(-limit);
  const ids = [...new Set(events.flatMap((e) => (e.requestId ? [e.requestId] : [])))];
  const requests = new Map<string, KeyRequest>();
  for (const request of await Promise.all(ids.map((id) => store.getRequest(id)))) {
    if (request) requests.set(request.id, request);
  }
  return events.map((event) => ({
    event,
    request: event.requestId ? (requests.get(event.requestId) ?? null) : null,
  }));
}

/**
 * `audit`, `audit <key name or …suffix>`, `audit <@U123>` / `<@U123|name>` (escaped mention) or a
 * bare user id. Anything after the first word is ignored.
 */
export function parseAuditQuery(words: readonly string[]): AuditQuery {
  const [word] = words;
  if (word === undefined || word === '') return { kind: 'all' };
  const mention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word);
  if (mention?.[1]) return { kind: 'user', userId: mention[1] };
  if (/^[UW][A-Z0-9]{6,}$/.test(word)) return { kind: 'user', userId: word };
  return { kind: 'key', key: word };
}
