import type { KeyRequest } from '../core/model.js';
import { applyChange } from './change.js';
import type { WorkflowContext } from './context.js';

/**
 * What happens to a request once it is approved, decided in one place: a change is applied to
 * its key at once; a new key waits for its requester, who gets the Create key message (the key is
 * made only on their click, when they are there to see its secret).
 */
export async function proceed(
  ctx: WorkflowContext,
  request: KeyRequest,
  approvedBy: readonly string[] | 'policy',
): Promise<void> {
  if (request.kind === 'change') return applyChange(ctx, request);
  await ctx.sendClaim(request, approvedBy);
}
