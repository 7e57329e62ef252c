import { Refused } from '../core/errors.js';
import type { KeyEntry, PersonStatus, ReviewEntry, ReviewReason } from '../core/ports.js';
import type { WorkflowContext } from './context.js';
import { keyEntries } from './keys.js';

export type { ReviewEntry, ReviewReason };

/** How many owners' Slack status is asked at once (users.info is Tier 4; a review asks few). */
const STATUS_CONCURRENCY = 4;

/**
 * `/chkey review` for admins: stale keys, keys with no Keyhouse owner (made outside Keyhouse, or
 * owned by someone Slack reports deactivated), and keys retiring after a rotation. Keyhouse's
 * own key is never listed. Called after the acknowledgement: it asks ClickHouse and Slack.
 */
export async function reviewKeys(ctx: WorkflowContext, viewerId: string): Promise<ReviewEntry[]> {
  if (!(await ctx.policy.isAdmin(viewerId))) {
    throw new Refused({ code: 'admins_only', what: 'review' });
  }
  const [all, owners] = await Promise.all([keyEntries(ctx, viewerId, 'all'), ctx.store.listKeyOwners()]);
  const entries = all.filter((e) => !e.self);
  const fingerprinted = new Map(owners.map((o) => [o.keyId, o.hasFingerprint === true]));
  const now = ctx.clock.now().getTime();
  const staleAfter = ctx.policy.doc.lifecycle.staleAfterMs;
  const status = await ownerStatuses(ctx, entries);
  const review: ReviewEntry[] = [];
  for (const entry of entries) {
    const reasons: ReviewReason[] = [];
    const last = lastActivity(entry);
    if (entry.ownerId === null) reasons.push('no_owner');
    else if (status.get(entry.ownerId) === 'deactivated') reasons.push('owner_deactivated');
    if (staleAfter !== null && last !== null && now - last.getTime() > staleAfter && !entry.expired)
      reasons.push('stale');
    if (entry.retiring) reasons.push('retiring');
    if (reasons.length > 0)
      review.push({
        entry,
        reasons,
        lastActivity: last,
        fingerprint: fingerprinted.get(entry.key.id) ?? null,
      });
  }
  return review;
}

function lastActivity(entry: KeyEntry): Date | null {
  const at = entry.key.usedAt ?? entry.key.createdAt;
  if (at === null) return null;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Each owner's Slack status, asked once per owner; an unanswered question counts as unknown. */
async function ownerStatuses(ctx: WorkflowContext, entries: KeyEntry[]): Promise<Map<string, PersonStatus>> {
  const owners = [...new Set(entries.map((e) => e.ownerId).filter((o): o is string => o !== null))];
  const status = new Map<string, PersonStatus>();
  const people = ctx.people;
  if (!people) return status;
  let next = 0;
  const worker = async () => {
    while (next < owners.length) {
      const owner = owners[next++]!;
      status.set(
        owner,
        await people.status(owner).catch((error: unknown) => {
          ctx.logger.warn({ err: error, owner }, 'could not ask Slack about a key owner');
          return 'unknown' as const;
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(STATUS_CONCURRENCY, owners.length) }, worker));
  return status;
}
