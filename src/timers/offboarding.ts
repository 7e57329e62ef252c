/**
 * Offboarding (product.md §8). A user deactivated in Slack (a `user_change` event, or the daily
 * `users.info` check of every owner in case an event was missed) is offboarded once per
 * deactivation, and no more once Slack says they are back:
 *
 * ```
 *   recordPerson(deactivated #n) ──▶ offboarding.user (once: their open requests cancelled)
 *     └─▶ offboarding.key (once per key they own NOW, in ticks, within the write budget;
 *     │                    the gate checks again that they still own it and are still deactivated)
 *     └─▶ offboarding.report (once, when every key is settled: one message to the security channel)
 *   recordPerson(active) ──▶ offboarding.reactivated (once: the security channel told; nothing undone)
 * ```
 *
 * Each step is a mark, so a restart or a second replica in the middle neither repeats a step nor
 * loses the rest: the next tick carries on from the marks. A key that changed hands, or whose
 * owner came back, is left alone.
 */

import type { PersonRecord, TimerMark } from '../core/model.js';
import type { KeyEntry } from '../core/ports.js';
import type { KeyFacts, OffboardingOutcome } from '../core/timer-ports.js';
import { changeKeyState, keyEntries, removeKey } from '../workflow/keys.js';
import { keyFacts, type LifecycleDeps } from './deps.js';
import { RULE } from './rule-ids.js';
import { ABANDONED_AFTER_MS, type DueWork, type TickView, type TimerRule } from './scheduler.js';

const KEY_ATTEMPTS = 3;

type Via = 'event' | 'daily check';

/**
 * The marks of a user's n-th deactivation: the first keeps the names marks had before people were
 * counted (`deactivated`, and the user id on each key), so an upgrade neither repeats nor forgets.
 */
function userThreshold(deactivation: number): string {
  return deactivation <= 1 ? 'deactivated' : `deactivated#${deactivation}`;
}
function keyThreshold(userId: string, deactivation: number): string {
  return deactivation <= 1 ? userId : `${userId}#${deactivation}`;
}

/**
 * Offboards `userId` now unless someone already did for this deactivation: records Slack's word,
 * and cancels their pending requests and approvals not yet claimed. Their keys are handled by the
 * next ticks.
 */
export async function offboardUser(
  deps: LifecycleDeps,
  userId: string,
  via: Via,
): Promise<'started' | 'already' | 'failed'> {
  const { ctx, scheduler } = deps;
  const { person } = await ctx.store.recordPerson(userId, 'deactivated', ctx.clock.now());
  const owned = await ctx.store.listKeyOwners(userId);
  const action = ctx.policy.doc.lifecycle.offboarding;
  const deactivation = person.deactivations;
  const outcome = await scheduler.runOnce(RULE.offboardUser, {
    subject: userId,
    threshold: userThreshold(deactivation),
    dueAt: ctx.clock.now(),
    detail: { via, action, keys: owned.map((o) => o.keyId), deactivation },
    about: { detail: { user: userId, via, action, keys: owned.length, deactivation } },
    run: async () => ({ cancelled: await cancelRequestsOf(deps, userId) }),
  });
  return outcome === 'done' ? 'started' : outcome === 'taken' ? 'already' : 'failed';
}

/**
 * Slack says `userId` is active (again). When they were offboarded, offboarding ends: what was
 * done stays done, the keys they get from now on are left alone, and the security channel is told
 * once. `not offboarded` for anyone else (the usual profile change).
 */
export async function reactivateUser(
  deps: LifecycleDeps,
  userId: string,
  via: Via,
): Promise<'ended' | 'not offboarded'> {
  const { ctx, scheduler, notifier } = deps;
  const before = await ctx.store.getPerson(userId);
  // Offboarded before people were recorded: only the marks say so.
  const legacy =
    before === null &&
    (await ctx.store.listTimerMarks({ rules: [RULE.offboardUser], subjects: [userId] })).length > 0;
  if (before?.status !== 'deactivated' && !legacy) return 'not offboarded';
  const { changed } = await ctx.store.recordPerson(userId, 'active', ctx.clock.now());
  if (!changed) return 'not offboarded';
  const action = ctx.policy.doc.lifecycle.offboarding;
  await scheduler.runOnce(RULE.offboardEnded, {
    subject: userId,
    threshold: userThreshold(before?.deactivations ?? 1),
    dueAt: ctx.clock.now(),
    about: { detail: { user: userId, via } },
    run: async () => {
      await notifier.reactivated(ctx.policy.doc.security.channel, {
        userId,
        via,
        action,
        now: ctx.clock.now(),
      });
      return { told: ctx.policy.doc.security.channel };
    },
  });
  return 'ended';
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
  /** Which deactivation of the user; absent on marks from before people were counted (the first). */
  deactivation?: number;
}

function userDetail(detail: Record<string, unknown> | null): UserMarkDetail | null {
  const d = detail as Partial<UserMarkDetail> | null;
  if (!d || !Array.isArray(d.keys) || !d.action || !d.via) return null;
  return d as UserMarkDetail;
}

/**
 * Users being offboarded now: the step of their current deactivation was claimed, whatever became
 * of it (done; failed while cancelling the requests, which the next event or daily check tries
 * again; or left half-way by a process that died), and Slack has not said they are back since.
 * Their keys are the ones they own now: a key given to someone else meanwhile is not theirs to
 * lose, and one that reached them since (a Create key click in flight, a reassignment) is. The
 * report waits for the step to end, or to be abandoned.
 */
function offboarded(
  view: Pick<TickView, 'marks' | 'now' | 'owners'>,
  people: ReadonlyMap<string, PersonRecord>,
  forReport: boolean,
) {
  const users: Array<{ mark: TimerMark; detail: UserMarkDetail; deactivation: number; keys: string[] }> = [];
  for (const mark of view.marks.all(RULE.offboardUser)) {
    const detail = userDetail(mark.detail);
    if (!detail) continue;
    const deactivation = detail.deactivation ?? 1;
    const person = people.get(mark.subject);
    // No record: offboarded before people were recorded, and Slack has not said otherwise since.
    if (person && (person.status !== 'deactivated' || person.deactivations !== deactivation)) continue;
    const abandoned = view.now.getTime() - mark.claimedAt.getTime() >= ABANDONED_AFTER_MS;
    if (forReport && mark.state === 'claimed' && !abandoned) continue;
    const keys: string[] = [];
    for (const owner of view.owners.values()) if (owner.ownerId === mark.subject) keys.push(owner.keyId);
    users.push({ mark, detail, deactivation, keys });
  }
  return users;
}

/** What Slack last said of everyone Keyhouse recorded, by user id. */
async function peopleOf(deps: LifecycleDeps): Promise<Map<string, PersonRecord>> {
  return new Map((await deps.ctx.store.listPeople()).map((p) => [p.userId, p]));
}

/** Each key of an offboarded user, once, as the policy says (it said so when the user was offboarded). */
export function offboardKeyRule(deps: LifecycleDeps): TimerRule {
  const { ctx } = deps;
  return {
    id: RULE.offboardKey,
    needsKeys: true,
    reads: [RULE.offboardUser],
    async due(view) {
      const { keys, owners } = view;
      const byId = new Map(keys.map((k) => [k.id, k]));
      const work: DueWork[] = [];
      for (const { mark: user, detail, deactivation, keys: userKeys } of offboarded(
        view,
        await peopleOf(deps),
        false,
      )) {
        for (const keyId of userKeys) {
          const key = byId.get(keyId);
          if (!key) continue;
          const facts = keyFacts(ctx, key, owners.get(keyId));
          const already = detail.action === 'disable' && key.state === 'disabled';
          const writes = detail.action === 'report' || already ? 0 : 1;
          work.push({
            subject: keyId,
            threshold: keyThreshold(user.subject, deactivation),
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
              // Read again now, not from the tick's view: the key may have changed hands, or its
              // owner come back, since the tick began.
              if (await ctx.gate.offboard(keyId, user.subject, deactivation))
                return { outcome: 'left alone' };
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
    async due(view) {
      const { keys, marks } = view;
      const present = new Set(keys.map((k) => k.id));
      const work: DueWork[] = [];
      for (const { mark: user, detail, deactivation, keys: owned } of offboarded(
        view,
        await peopleOf(deps),
        true,
      )) {
        const threshold = keyThreshold(user.subject, deactivation);
        // The keys offboarding reached (some may have changed hands since), and those owned now.
        const reached = marks.all(RULE.offboardKey).filter((m) => m.threshold === threshold);
        const userKeys = [...new Set([...reached.map((m) => m.subject), ...owned])];
        const settled = (keyId: string) => {
          const mark = marks.get(RULE.offboardKey, keyId, threshold);
          return mark?.state === 'done' || (mark?.state === 'failed' && mark.attempts >= KEY_ATTEMPTS);
        };
        // A key still in ClickHouse and not yet handled: the report waits for it.
        if (userKeys.some((keyId) => present.has(keyId) && !settled(keyId))) continue;
        work.push({
          subject: user.subject,
          threshold: userThreshold(deactivation),
          dueAt: user.claimedAt,
          about: { detail: { user: user.subject, keys: userKeys.length } },
          run: async () => {
            // Current entries give each key its menu; a key deleted just now has none.
            const entries = new Map((await keyEntries(ctx, 'system', 'all')).map((e) => [e.key.id, e]));
            const listed: Array<{ facts: KeyFacts; entry: KeyEntry | null; outcome: OffboardingOutcome }> =
              [];
            let vanished = 0;
            for (const keyId of userKeys) {
              const mark = marks.get(RULE.offboardKey, keyId, threshold);
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

/**
 * Once a day (UTC), every key owner is looked up with `users.info`: one deactivated since is
 * offboarded (in case the event was missed), and one offboarded but active again is offboarded no
 * more (in case that event was missed).
 */
export function offboardCheckRule(deps: LifecycleDeps): TimerRule {
  const { ctx, directory } = deps;
  return {
    id: RULE.offboardCheck,
    due({ now }) {
      const day = now.toISOString().slice(0, 10);
      return [
        {
          subject: 'owners',
          threshold: day,
          dueAt: new Date(`${day}T00:00:00.000Z`),
          run: async () => {
            const people = await peopleOf(deps);
            const owners = [...new Set((await ctx.store.listKeyOwners()).map((o) => o.ownerId))];
            const deactivated: string[] = [];
            const reactivated: string[] = [];
            for (const userId of owners) {
              const gone = await directory.isDeactivated(userId);
              const recorded = people.get(userId)?.status === 'deactivated';
              if (gone === true && !recorded) {
                deactivated.push(userId);
                await offboardUser(deps, userId, 'daily check');
              } else if (gone === false && recorded) {
                reactivated.push(userId);
                await reactivateUser(deps, userId, 'daily check');
              }
            }
            return { checked: owners.length, deactivated, reactivated };
          },
        },
      ];
    },
  };
}
