/**
 * Expiry (product.md §8): a warning DM at each `expiryWarnings` threshold (one for a key already
 * past several), one notice once a key has expired, and deletion `deleteExpiredAfter` later.
 * Only keys Keyhouse made (with an owner) are concerned; Keyhouse's own key never is.
 */
import { removeKey } from '../workflow/keys.js';
import { aboutKey, instant, keyFacts, type LifecycleDeps, retiringKeys } from './deps.js';
import { RULE } from './rule-ids.js';
import type { DueWork, TimerRule } from './scheduler.js';

export function expiryWarningRule(deps: LifecycleDeps): TimerRule {
  const { ctx, notifier } = deps;
  return {
    id: RULE.expiryWarning,
    needsKeys: true,
    async due({ now, keys, owners }) {
      // Longest first (the policy sorts them).
      const thresholds = ctx.policy.doc.lifecycle.expiryWarningsMs;
      const retiring = await retiringKeys(ctx);
      const work: DueWork[] = [];
      for (const key of keys) {
        const owner = owners.get(key.id);
        const expireAt = instant(key.expireAt);
        // A disabled key (retired, offboarded, switched off) warns nobody, nor one being retired.
        if (!owner || !expireAt || key.state !== 'enabled' || expireAt <= now || retiring.has(key.id))
          continue;
        // The nearest threshold already reached: a key past 7d and 1d at once is warned once, at 1d.
        const reached = thresholds.filter((t) => expireAt.getTime() - t <= now.getTime());
        const nearest = reached.at(-1);
        if (nearest === undefined) continue;
        const facts = keyFacts(ctx, key, owner);
        work.push({
          subject: key.id,
          // The expiry is part of the threshold: a key extended since is warned again before its new expiry.
          threshold: `${expireAt.toISOString()}|${nearest}`,
          dueAt: new Date(expireAt.getTime() - nearest),
          about: aboutKey(key, owner, { beforeMs: nearest, expireAt: expireAt.toISOString() }),
          run: async () => {
            await notifier.expiryWarning({
              ownerId: owner.ownerId,
              key: facts,
              expireAt,
              beforeMs: nearest,
              now: ctx.clock.now(),
            });
            return { told: owner.ownerId };
          },
        });
      }
      return work;
    },
  };
}

export function expiredNoticeRule(deps: LifecycleDeps): TimerRule {
  const { ctx, notifier } = deps;
  return {
    id: RULE.expiryExpired,
    needsKeys: true,
    due({ now, keys, owners }) {
      const deleteAfter = ctx.policy.doc.lifecycle.deleteExpiredAfterMs;
      const work: DueWork[] = [];
      for (const key of keys) {
        const owner = owners.get(key.id);
        const expireAt = instant(key.expireAt);
        if (!owner || !expireAt || key.state !== 'enabled' || expireAt > now) continue;
        const facts = keyFacts(ctx, key, owner);
        work.push({
          subject: key.id,
          threshold: expireAt.toISOString(),
          dueAt: expireAt,
          about: aboutKey(key, owner),
          run: async () => {
            await notifier.keyExpired({
              ownerId: owner.ownerId,
              key: facts,
              expireAt,
              deleteAt: deleteAfter === null ? null : new Date(expireAt.getTime() + deleteAfter),
              now: ctx.clock.now(),
            });
            return { told: owner.ownerId };
          },
        });
      }
      return work;
    },
  };
}

export function deleteExpiredRule(deps: LifecycleDeps): TimerRule {
  const { ctx, notifier } = deps;
  return {
    id: RULE.expiryDelete,
    needsKeys: true,
    due({ keys, owners }) {
      const after = ctx.policy.doc.lifecycle.deleteExpiredAfterMs;
      if (after === null) return [];
      const work: DueWork[] = [];
      for (const key of keys) {
        const owner = owners.get(key.id);
        const expireAt = instant(key.expireAt);
        if (!owner || !expireAt) continue;
        const facts = keyFacts(ctx, key, owner);
        work.push({
          subject: key.id,
          threshold: expireAt.toISOString(),
          dueAt: new Date(expireAt.getTime() + after),
          writes: 1,
          about: aboutKey(key, owner),
          run: async () => {
            // PRIORITY: timer (the tick runs in the `timers` lane) — the delete (workflow's path: audited, ownership forgotten).
            await removeKey(ctx, 'system', key, { why: 'expired', expireAt: expireAt.toISOString() });
            await ctx.quietly('tell the owner an expired key was deleted', () =>
              notifier.expiredKeyDeleted({
                ownerId: owner.ownerId,
                key: facts,
                expireAt,
                now: ctx.clock.now(),
              }),
            );
            return { deleted: true };
          },
        });
      }
      return work;
    },
  };
}
