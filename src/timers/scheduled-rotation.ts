/**
 * Scheduled rotation as timed work (product.md §12, `rotateEvery`): a key in a destination whose
 * role rotates on a schedule is replaced before it is `rotateEvery` old. One piece of due work per
 * key (`rotate`), due `lead` before that age so the successor is in the destination first; it is
 * claimed once by the scheduler's marks, tried again at every tick while its write fails, and
 * taken over from a replica that died in the middle (the rotation's own request id keeps it to one
 * successor: workflow/schedule.ts).
 */
import type { WorkflowContext } from '../workflow/context.js';
import { rotateOnSchedule } from '../workflow/schedule.js';
import { ABANDONED_AFTER_MS, type DueWork, type TickView, type TimerRule } from './scheduler.js';

/** Names this rule's marks and audit action for ever; never rename. */
export const SCHEDULED_ROTATION_RULE = 'rotation.scheduled';

/** How long before a key is `rotateEvery` old its successor is made: a tenth of the period, at most an hour. */
export function rotationLeadMs(rotateEveryMs: number): number {
  return Math.min(Math.floor(rotateEveryMs / 10), 60 * 60_000);
}

/** Failed writes are retried at every tick for about a week of ticks, then left to people (the security channel knows). */
const MAX_ATTEMPTS = 10_000;

export function scheduledRotationRule(ctx: WorkflowContext): TimerRule {
  return {
    id: SCHEDULED_ROTATION_RULE,
    needsKeys: true,
    async due(view: TickView): Promise<DueWork[]> {
      if (!ctx.delivery) return [];
      const [requests, open, retirements] = await Promise.all([
        ctx.store.listRequests({ kind: 'create', states: ['delivered'] }),
        ctx.store.listRequests({ kind: 'create', states: ['pending', 'approved', 'creating'] }),
        ctx.store.listRetirements({}),
      ]);
      const delivered = new Map(requests.filter((r) => r.destinationId).map((r) => [r.id, r]));
      const rotated = new Set(retirements.map((r) => r.keyId));
      // A key whose predecessor is still retiring waits for that retirement (the gate refuses a
      // successor in its overlap): tried at every tick, the refusal would spend the tick's writes
      // ahead of the very retirement it waits for, which would then never run.
      const inOverlap = new Set(
        retirements.filter((r) => r.stage === 'retiring').map((r) => r.successorKeyId),
      );
      // A rotation asked from the menu and still open is the key's one successor under way: the
      // schedule waits for it (the gate would refuse it at every tick, each time spending the
      // tick's writes and deferring every other rule's work behind it).
      const asked = new Set(
        open.filter((r) => r.rotation && !r.rotation.scheduled).map((r) => r.rotation!.keyId),
      );
      const work: DueWork[] = [];
      for (const key of view.keys) {
        const owner = view.owners.get(key.id);
        const request = owner?.requestId ? delivered.get(owner.requestId) : undefined;
        if (!owner || !request?.destinationId || owner.leak || rotated.has(key.id)) continue;
        if (asked.has(key.id) || inOverlap.has(key.id)) continue;
        // A machine key someone disabled is left alone: replacing it would undo their decision.
        if (key.state !== 'enabled') continue;
        const role = ctx.policy.role(request.roleId);
        const every = role?.rotateEveryMs;
        if (every === undefined || !role?.destinations?.includes(request.destinationId)) continue;
        // The chain ends with the approval: a key that already lives to its end has no successor.
        const envelope = owner.approvedUntil;
        if (envelope instanceof Date) {
          if (envelope.getTime() <= view.now.getTime()) continue;
          if (key.expireAt && new Date(key.expireAt).getTime() >= envelope.getTime()) continue;
        }
        work.push({
          subject: key.id,
          threshold: 'rotate',
          dueAt: new Date(owner.createdAt.getTime() + every - rotationLeadMs(every)),
          writes: 2,
          maxAttempts: MAX_ATTEMPTS,
          abandonedAfterMs: ABANDONED_AFTER_MS,
          about: {
            keyId: key.id,
            keyName: key.name,
            keySuffix: key.keySuffix,
            requestId: request.id,
            detail: { destination: request.destinationId },
          },
          run: async () => ({ ...(await rotateOnSchedule(ctx, key.id)) }),
        });
      }
      return work;
    },
  };
}
