import type { KeyRequest } from '../core/model.js';
import { announceOnce } from './announce-mark.js';
import { applyChange } from './change.js';
import type { WorkflowContext } from './context.js';
import { deliverToDestination } from './deliver.js';

/**
 * What happens to a request once it is approved, decided in one place: a change is applied to
 * its key at once; a key for a destination is made and written there at once (product.md §12), no
 * person seeing its secret; any other new key waits for its requester, who gets the Create key
 * message (the key is made only on their click, when they are there to see its secret).
 *
 * The delivery and the Create key message each happen once per approval, whoever gets there first;
 * when a crash comes between the approval and either, the timers do it (announce-mark.ts).
 */
export async function proceed(
  ctx: WorkflowContext,
  request: KeyRequest,
  approvedBy: readonly string[] | 'policy',
): Promise<void> {
  if (request.kind === 'change') return applyChange(ctx, request);
  if (request.destinationId) {
    // The approval stands even when the mark cannot be claimed (the store failing): the timers look again.
    await announceOnce(ctx, request, 'deliver', () => deliverNow(ctx, request, approvedBy)).catch(
      (error: unknown) =>
        ctx.logger.warn({ err: error, requestId: request.id }, 'delivery to a destination did not start'),
    );
    return;
  }
  await ctx.sendClaim(request, approvedBy);
}

/**
 * Makes and writes the key of an approved request for a destination, now. Whatever happens is told
 * to the requester (a failed write leaves Try again); the approval that set it off stands either way.
 */
export async function deliverNow(
  ctx: WorkflowContext,
  request: KeyRequest,
  approvedBy: readonly string[] | 'policy',
): Promise<void> {
  const actorId = approvedBy === 'policy' ? 'policy' : (approvedBy.at(-1) ?? 'system');
  await deliverToDestination(ctx, request.id, actorId).catch((error: unknown) =>
    ctx.logger.warn({ err: error, requestId: request.id }, 'delivery to a destination did not run'),
  );
}
