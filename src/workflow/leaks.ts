import type { Done } from '../core/outcomes.js';
import type { WorkflowContext } from './context.js';

/**
 * Lifting a leak mark (product.md §1): only an admin, saying why, audited before the store
 * changes. The key stays disabled; from now on its owner or an admin may enable it again.
 */
export async function liftLeak(
  ctx: WorkflowContext,
  viewerId: string,
  keyId: string,
  reason: string,
): Promise<Done> {
  const { key, label, owner } = await ctx.gate.liftLeak(viewerId, keyId);
  await ctx.audit.effect(
    {
      actorId: viewerId,
      action: 'key.leak.lift',
      keyId,
      keyName: key.name,
      keySuffix: key.keySuffix,
      detail: {
        reason,
        markedAt: owner?.leak?.at.toISOString() ?? null,
        source: owner?.leak?.source ?? null,
      },
    },
    () => ctx.store.liftLeak(keyId),
  );
  return { code: 'leak_lifted', key: label };
}
