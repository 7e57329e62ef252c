/**
 * The retirement of a rotated key as timed work (product.md §8, "Rotation"): at the end of the
 * overlap the old key is disabled and its owner told; seven days later it is deleted. Each step is
 * one piece of due work per key (`disable`, `delete`), claimed once by the scheduler's marks, and
 * each also moves the key's `retirements` row by compare-and-set before it calls ClickHouse. A
 * disable whose process died in the middle is taken again (`abandonedAfterMs`): the old key must
 * not stay usable past its overlap.
 */
import type { KeyRequest, Retirement } from '../core/model.js';
import type { WorkflowContext } from '../workflow/context.js';
import { deleteRetired, disableRetired, RETIRED_KEEP_MS, startRetirement } from '../workflow/rotate.js';
import { ABANDONED_AFTER_MS, type DueWork, type TimerRule } from './scheduler.js';

/** Names this rule's marks and audit action for ever; never rename. */
export const RETIREMENT_RULE = 'rotation.retire';

function about(retirement: Retirement) {
  return {
    keyId: retirement.keyId,
    keyName: retirement.keyName,
    keySuffix: retirement.keySuffix,
    requestId: retirement.requestId,
    detail: { successor: retirement.successorKeyId },
  };
}

/**
 * A rotation delivered whose retirement was never recorded (its process died, or the database
 * failed, between the delivery and the record): recorded now, from the delivery's time, so the
 * old key still retires at the end of its overlap.
 */
function unrecorded(ctx: WorkflowContext, request: KeyRequest): DueWork | null {
  const { rotation, keyId, keySuffix } = request;
  if (!rotation || !keyId || !keySuffix) return null;
  return {
    subject: rotation.keyId,
    threshold: 'record',
    // The delivering process records it at once; only one that has not long after is repaired.
    dueAt: new Date(request.updatedAt.getTime() + ABANDONED_AFTER_MS),
    about: {
      keyId: rotation.keyId,
      keySuffix: rotation.keySuffix,
      keyName: request.keyName,
      requestId: request.id,
      detail: { successor: keyId },
    },
    run: async () => {
      await startRetirement(ctx, request, { id: keyId, keySuffix }, request.updatedAt);
      return { recorded: true };
    },
  };
}

export function retirementRule(ctx: WorkflowContext): TimerRule {
  return {
    id: RETIREMENT_RULE,
    async due(): Promise<DueWork[]> {
      const [all, delivered] = await Promise.all([
        ctx.store.listRetirements({}),
        ctx.store.listRequests({ states: ['delivered'], kind: 'create' }),
      ]);
      const recorded = new Set(all.map((r) => r.keyId));
      const repairs = delivered
        .filter((request) => request.rotation && !recorded.has(request.rotation.keyId))
        .map((request) => unrecorded(ctx, request))
        .filter((work): work is DueWork => work !== null);
      const active = all.filter((r) => r.stage === 'retiring' || r.stage === 'disabled');
      return repairs.concat(
        active.flatMap((retirement): DueWork[] => {
          // Listed in `disabled` too: its mark is done (skipped), or was abandoned by a process that
          // died in the middle, and the old key must not stay usable for that.
          const disable: DueWork = {
            subject: retirement.keyId,
            threshold: 'disable',
            dueAt: retirement.retireAt,
            writes: 1,
            abandonedAfterMs: ABANDONED_AFTER_MS,
            about: about(retirement),
            run: async () => ({ disabled: await disableRetired(ctx, retirement) }),
          };
          if (retirement.stage === 'retiring') return [disable];
          return [
            disable,
            {
              subject: retirement.keyId,
              threshold: 'delete',
              dueAt: new Date(retirement.retireAt.getTime() + RETIRED_KEEP_MS),
              writes: 1,
              about: about(retirement),
              run: async () => ({ deleted: await deleteRetired(ctx, retirement) }),
            },
          ];
        }),
      );
    },
  };
}
