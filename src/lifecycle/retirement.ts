/**
 * The retirement of a rotated key as timed work (product.md §8, "Rotation"): at the end of the
 * overlap the old key is disabled and its owner told; seven days later it is deleted. Each step is
 * one piece of due work per key (`disable`, `delete`), claimed once by the scheduler's marks, and
 * each also moves the key's `retirements` row by compare-and-set before it calls ClickHouse. A
 * disable whose process died in the middle is taken again (`abandonedAfterMs`): the old key must
 * not stay usable past its overlap.
 */
import type { Retirement } from '../store/types.js';
import type { WorkflowContext } from '../workflow/context.js';
import { deleteRetired, disableRetired, RETIRED_KEEP_MS } from '../workflow/rotate.js';
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

export function retirementRule(ctx: WorkflowContext): TimerRule {
  return {
    id: RETIREMENT_RULE,
    async due(): Promise<DueWork[]> {
      const active = await ctx.store.listRetirements({ stages: ['retiring', 'disabled'] });
      return active.flatMap((retirement): DueWork[] => {
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
      });
    },
  };
}
