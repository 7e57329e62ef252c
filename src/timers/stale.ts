/**
 * Stale keys (product.md §8): a key whose last use (ClickHouse's `usedAt`, to the minute; its
 * creation if never used) is older than `staleAfter` is offered to its owner once: Keep, Disable
 * or Delete. Keep counts the quiet time again from the click, so the owner is asked again after
 * another `staleAfter` if the key stays unused; a use in between counts from the use.
 */
import { Refused } from '../core/errors.js';
import type { KeyFacts } from '../core/timer-ports.js';
import { aboutKey, instant, keyFacts, type LifecycleDeps, retiringKeys } from './deps.js';
import { RULE } from './rule-ids.js';
import type { DueWork, MarkBook, TimerRule } from './scheduler.js';

/** The moment the quiet time counts from: the last use (or creation), or a later Keep. */
function quietSince(
  key: { id: string; usedAt: string | null; createdAt: string | null },
  ownedSince: Date,
  marks: MarkBook,
): { since: Date; neverUsed: boolean } {
  const used = instant(key.usedAt);
  // ClickHouse's creation time; Keyhouse's record of it when ClickHouse gives none.
  const base = used ?? instant(key.createdAt) ?? ownedSince;
  let since = base;
  for (const kept of marks.of(RULE.staleKeep, key.id)) {
    if (kept.claimedAt > since) since = kept.claimedAt;
  }
  return { since, neverUsed: used === null && since === base };
}

export function staleOfferRule(deps: LifecycleDeps): TimerRule {
  const { ctx, notifier } = deps;
  return {
    id: RULE.staleOffer,
    needsKeys: true,
    reads: [RULE.staleKeep],
    async due({ now, keys, owners, marks }) {
      const staleAfter = ctx.policy.doc.lifecycle.staleAfterMs;
      if (staleAfter === null) return [];
      const retiring = await retiringKeys(ctx);
      const work: DueWork[] = [];
      for (const key of keys) {
        const owner = owners.get(key.id);
        const expireAt = instant(key.expireAt);
        // Disabled or expired keys already do nothing, and a retiring one soon will; only a live
        // key is worth a question.
        if (!owner || key.state !== 'enabled' || (expireAt && expireAt <= now) || retiring.has(key.id))
          continue;
        const quiet = quietSince(key, owner.createdAt, marks);
        const facts = keyFacts(ctx, key, owner);
        work.push({
          subject: key.id,
          threshold: quiet.since.toISOString(),
          dueAt: new Date(quiet.since.getTime() + staleAfter),
          about: aboutKey(key, owner, { since: quiet.since.toISOString() }),
          run: async () => {
            const at = ctx.clock.now();
            await notifier.staleOffer({
              ownerId: owner.ownerId,
              key: facts,
              since: quiet.since,
              neverUsed: quiet.neverUsed,
              askAgainAt: new Date(at.getTime() + staleAfter),
              now: at,
            });
            return { told: owner.ownerId };
          },
        });
      }
      return work;
    },
  };
}

/**
 * Keep, clicked by the key's owner (or an admin): recorded as a mark, so the next offer counts
 * from now. Returns when Keyhouse asks again if the key stays unused.
 */
export async function keepStaleKey(
  deps: LifecycleDeps,
  userId: string,
  keyId: string,
): Promise<{ key: KeyFacts; askAgainAt: Date | null }> {
  const { ctx } = deps;
  const { key } = await ctx.gate.key(userId, keyId, 'view');
  const now = ctx.clock.now();
  const staleAfter = ctx.policy.doc.lifecycle.staleAfterMs;
  const ids = { rule: RULE.staleKeep, subject: keyId, threshold: now.toISOString(), holder: userId };
  await ctx.audit.before({
    actorId: userId,
    action: 'key.keep',
    outcome: 'ok',
    keyId,
    keyName: key.name,
    keySuffix: key.keySuffix,
    detail: { why: 'stale key review' },
  });
  const mark = await ctx.store.claimTimer({ ...ids, dueAt: now, at: now });
  if (!mark) throw new Refused({ code: 'stale_kept' });
  await ctx.store.settleTimer({ ...ids, state: 'done', at: now });
  return {
    key: keyFacts(ctx, key, (await ctx.store.getKeyOwner(keyId)) ?? undefined),
    askAgainAt: staleAfter === null ? null : new Date(now.getTime() + staleAfter),
  };
}
