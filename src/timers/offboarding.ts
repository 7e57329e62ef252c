/**
 * Offboarding (product.md §8). A user deactivated in Slack (a `user_change` event, or the daily
 * `users.info` check of every owner in case an event was missed) is offboarded once:
 *
 * ```
 *   offboarding.user (once per user: their keys noted, their open requests cancelled)
 *     └─▶ offboarding.key (once per key, in ticks, within the write budget: disable | delete | report)
 *           └─▶ offboarding.report (once per user, when every key is settled: one message to the security channel)
 * ```
 *
 * Each step is a mark, so a restart or a second replica in the middle neither repeats a step nor
 * loses the rest: the next tick carries on from the marks.
 */

import type { TimerMark } from '../core/model.js';
import type { KeyEntry } from '../core/ports.js';
import type { KeyFacts, OffboardingOutcome } from '../core/timer-ports.js';
import { changeKeyState, keyEntries, removeKey } from '../workflow/keys.js';
import { keyFacts, type LifecycleDeps } from './deps.js';
import { RULE } from './rule-ids.js';
import { ABANDONED_AFTER_MS, type DueWork, type TickView, type TimerRule } from './scheduler.js';

const KEY_ATTEMPTS = 3;
const THRESHOLD = 'deactivated';

type Via = 'event' | 'daily check';

/**
 * Offboards `userId` now unless someone already did: notes their keys, cancels their pending
 * requests and approvals not yet claimed. The keys are handled by the next ticks.
 */
export async function offboardUser(
  deps: LifecycleDeps,
  userId: string,
  via: Via,
): Promise<'started' | 'already' | 'failed'> {
  const { ctx, scheduler } = deps;
  const owned = await ctx.store.listKeyOwners(userId);
  const action = ctx.policy.doc.lifecycle.offboarding;
  const outcome = await scheduler.runOnce(RULE.offboardUser, {
    subject: userId,
    threshold: THRESHOLD,
    dueAt: ctx.clock.now(),
    detail: { via, action, keys: owned.map((o) => o.keyId) },
    about: { detail: { user: userId, via, action, keys: owned.length } },
    run: async () => ({ cancelled: await cancelRequestsOf(deps, userId) }),
  });
  return outcome === 'done' ? 'started' : outcome === 'taken' ? 'already' : 'failed';
}

/** Moves the user's pending and approved-but-unclaimed requests to `expired`, each by compare-and-set. */
async function cancelRequestsOf(deps: LifecycleDeps, userId: string): Promise<number> {
  const { ctx, notifier } = deps;
  const open = await ctx.store.listRequests({ requesterId: userId, states: ['pending', 'approved'] });
  let cancelled = 0;
  for (const request of open) {
    const done = await ctx.store.transition({
      id: request.id,
      from: request.state,
      to: 'expired',
      at: ctx.clock.now(),
      set: { deadline: null },
    });
    if (!done) continue;
    cancelled += 1;
    await ctx.audit.after({
      actorId: 'system',
      action: 'request.cancelled',
      outcome: 'ok',
      requestId: request.id,
      keyName: request.keyName,
      detail: { why: 'requester deactivated', from: request.state },
    });
    const ref = await ctx.messageRef(request.id, 'approval');
    if (ref) {
      await ctx.quietly('note the cancellation in the approval thread', () =>
        notifier.requestCancelled(ref, request, userId),
      );
    }
    await ctx.refreshApproval(request.id);
    const dm = await ctx.messageRef(request.id, 'dm');
    if (dm) {
      await ctx.quietly('rewrite the Create key message', async () =>
        ctx.notifier.updateClaim(dm, {
          request: done,
          role: ctx.roleOf(done),
          approvedBy: await ctx.approvers(done),
          status: 'expired',
          now: ctx.clock.now(),
        }),
      );
    }
  }
  return cancelled;
}

interface UserMarkDetail {
  via: Via;
  action: 'disable' | 'delete' | 'report';
  keys: string[];
  cancelled?: number;
}

function userDetail(detail: Record<string, unknown> | null): UserMarkDetail | null {
  const d = detail as Partial<UserMarkDetail> | null;
  if (!d || !Array.isArray(d.keys) || !d.action || !d.via) return null;
  return d as UserMarkDetail;
}

/**
 * Offboarded users whose keys are due: once the user step was claimed, whatever became of it (its
 * keys are in the detail of its claim). Done; or failed while cancelling the requests (the next
 * event or daily check tries that again); or left half-way by a process that died (the requests
 * stay; a deactivated user can no longer click Create key, and the sweep lapses them). The report
 * waits for the step to end, or to be abandoned.
 */
function offboarded(view: Pick<TickView, 'marks' | 'now' | 'owners'>, forReport: boolean) {
  const users: Array<{ mark: TimerMark; detail: UserMarkDetail; keys: string[] }> = [];
  for (const mark of view.marks.all(RULE.offboardUser)) {
    const detail = userDetail(mark.detail);
    if (!detail) continue;
    const abandoned = view.now.getTime() - mark.claimedAt.getTime() >= ABANDONED_AFTER_MS;
    // The report waits for the step to end (its count of cancelled requests), or to be abandoned.
    if (forReport && mark.state === 'claimed' && !abandoned) continue;
    // Keys noted when the user was offboarded, and any that reached them since (a Create key
    // click in flight at that moment, a request recovered by the sweep, a reassignment).
    const keys = new Set(detail.keys);
    for (const owner of view.owners.values()) if (owner.ownerId === mark.subject) keys.add(owner.keyId);
    users.push({ mark, detail, keys: [...keys] });
  }
  return users;
}

/** Each key of an offboarded user, once, as the policy says (it said so when the user was offboarded). */
export function offboardKeyRule(deps: LifecycleDeps): TimerRule {
  const { ctx } = deps;
  return {
    id: RULE.offboardKey,
    needsKeys: true,
    reads: [RULE.offboardUser],
    due(view) {
      const { keys, owners } = view;
      const byId = new Map(keys.map((k) => [k.id, k]));
      const work: DueWork[] = [];
      for (const { mark: user, detail, keys: userKeys } of offboarded(view, false)) {
        for (const keyId of userKeys) {
          const key = byId.get(keyId);
          if (!key) continue;
          const facts = keyFacts(ctx, key, owners.get(keyId));
          const already = detail.action === 'disable' && key.state === 'disabled';
          const writes = detail.action === 'report' || already ? 0 : 1;
          work.push({
            subject: keyId,
            threshold: user.subject,
            dueAt: user.claimedAt,
            writes,
            maxAttempts: KEY_ATTEMPTS,
            // A deactivated user's key must not stay usable because a process died disabling it.
            abandonedAfterMs: ABANDONED_AFTER_MS,
            detail: { facts },
            about: {
              keyId,
              keyName: key.name,
              keySuffix: key.keySuffix,
              detail: { owner: user.subject, action: detail.action },
            },
            run: async (): Promise<{ outcome: OffboardingOutcome }> => {
              const why = { why: 'owner deactivated', owner: user.subject };
              if (detail.action === 'report') return { outcome: 'reported' };
              if (already) return { outcome: 'already disabled' };
              if (detail.action === 'delete') {
                // PRIORITY: timer (the tick runs in the `timers` lane) — the delete (workflow's path: audited, ownership forgotten).
                await removeKey(ctx, 'system', key, why);
                return { outcome: 'deleted' };
              }
              // PRIORITY: timer (the tick runs in the `timers` lane) — the disable.
              await changeKeyState(ctx, 'system', key, 'disabled', why);
              return { outcome: 'disabled' };
            },
          });
        }
      }
      return work;
    },
  };
}

/** One message to the security channel per offboarded user, once every key of theirs is settled. */
export function offboardReportRule(deps: LifecycleDeps): TimerRule {
  const { ctx, notifier } = deps;
  return {
    id: RULE.offboardReport,
    needsKeys: true,
    reads: [RULE.offboardUser, RULE.offboardKey],
    due(view) {
      const { keys, marks } = view;
      const present = new Set(keys.map((k) => k.id));
      const work: DueWork[] = [];
      for (const { mark: user, detail, keys: userKeys } of offboarded(view, true)) {
        const settled = (keyId: string) => {
          const mark = marks.get(RULE.offboardKey, keyId, user.subject);
          return mark?.state === 'done' || (mark?.state === 'failed' && mark.attempts >= KEY_ATTEMPTS);
        };
        // A key still in ClickHouse and not yet handled: the report waits for it.
        if (userKeys.some((keyId) => present.has(keyId) && !settled(keyId))) continue;
        work.push({
          subject: user.subject,
          threshold: THRESHOLD,
          dueAt: user.claimedAt,
          about: { detail: { user: user.subject, keys: userKeys.length } },
          run: async () => {
            // Current entries give each key its menu; a key deleted just now has none.
            const entries = new Map((await keyEntries(ctx, 'system', 'all')).map((e) => [e.key.id, e]));
            const listed: Array<{ facts: KeyFacts; entry: KeyEntry | null; outcome: OffboardingOutcome }> =
              [];
            let vanished = 0;
            for (const keyId of userKeys) {
              const mark = marks.get(RULE.offboardKey, keyId, user.subject);
              const facts = (mark?.detail?.facts as KeyFacts | undefined) ?? null;
              if (!mark || !facts) {
                vanished += 1;
                continue;
              }
              const outcome = mark.state === 'done' ? (mark.detail?.outcome as OffboardingOutcome) : 'failed';
              const entry = entries.get(keyId);
              listed.push({
                facts,
                outcome,
                // Anyone who clicks is checked at the click; the menu shows what an admin may do.
                entry:
                  entry && !entry.self ? { ...entry, can: { toggle: true, edit: true, delete: true } } : null,
              });
            }
            await notifier.offboardingReport(ctx.policy.doc.security.channel, {
              userId: user.subject,
              action: detail.action,
              via: detail.via,
              keys: listed,
              vanished,
              cancelled: detail.cancelled ?? 0,
              now: ctx.clock.now(),
            });
            return { reported: listed.length };
          },
        });
      }
      return work;
    },
  };
}

/** Once a day (UTC), every key owner not yet offboarded is looked up with `users.info`. */
export function offboardCheckRule(deps: LifecycleDeps): TimerRule {
  const { ctx, directory } = deps;
  return {
    id: RULE.offboardCheck,
    reads: [RULE.offboardUser],
    due({ now, marks }) {
      const day = now.toISOString().slice(0, 10);
      return [
        {
          subject: 'owners',
          threshold: day,
          dueAt: new Date(`${day}T00:00:00.000Z`),
          run: async () => {
            const done = new Set(
              marks
                .all(RULE.offboardUser)
                .filter((m) => m.state === 'done')
                .map((m) => m.subject),
            );
            const owners = [...new Set((await ctx.store.listKeyOwners()).map((o) => o.ownerId))].filter(
              (id) => !done.has(id),
            );
            const deactivated: string[] = [];
            for (const userId of owners) {
              if ((await directory.isDeactivated(userId)) !== true) continue;
              deactivated.push(userId);
              await offboardUser(deps, userId, 'daily check');
            }
            return { checked: owners.length, deactivated };
          },
        },
      ];
    },
  };
}
