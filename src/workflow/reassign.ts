import { Refused } from '../core/errors.js';
import type { Done } from '../core/outcomes.js';
import { isUserId } from '../policy/index.js';
import type { WorkflowContext } from './context.js';

/**
 * Reassign (product.md §1, §8): an admin gives a key another Keyhouse owner, for a key made
 * outside Keyhouse or one whose owner left. The gate checks the admin, the key, and the new owner
 * (active in Slack, within their limit of keys). Audited before the store changes; the old and
 * the new owner are told by DM.
 */
export async function reassignKey(
  ctx: WorkflowContext,
  viewerId: string,
  keyId: string,
  newOwnerId: string,
): Promise<Done> {
  if (!(await ctx.policy.isAdmin(viewerId))) {
    await ctx.audit.after({
      actorId: viewerId,
      action: 'key.reassign',
      outcome: 'refused',
      keyId,
      detail: { why: 'not an admin' },
    });
    throw new Refused({ code: 'admins_only', what: 'reassign' });
  }
  if (!isUserId(newOwnerId)) throw new Refused({ code: 'choose_new_owner' });
  const facts = await ctx.gate.key(viewerId, keyId, 'view');
  const { key, ownerId, owner: previous, label } = facts;
  const refusal = await ctx.gate.reassign(facts, newOwnerId);
  if (refusal) throw new Refused(refusal);
  await ctx.audit.effect(
    {
      actorId: viewerId,
      action: 'key.reassign',
      keyId,
      keyName: key.name,
      keySuffix: key.keySuffix,
      detail: { from: ownerId, to: newOwnerId },
    },
    () =>
      ctx.store.putKeyOwner({
        keyId,
        ownerId: newOwnerId,
        requestId: previous?.requestId ?? null,
        keyName: key.name,
        keySuffix: key.keySuffix,
        createdAt: previous?.createdAt ?? ctx.clock.now(),
        // The role it was approved under, and the end its approvals allow, stay with the key.
        roleId: previous?.roleId ?? null,
        ...(previous ? {} : { approvedUntil: ctx.gate.envelope(facts) }),
      }),
  );
  const about = { keyName: key.name, keySuffix: key.keySuffix, by: viewerId, from: ownerId, to: newOwnerId };
  if (newOwnerId !== viewerId) {
    await ctx.quietly('tell the new owner', () =>
      ctx.notifier.tellRequester(newOwnerId, { kind: 'key_reassigned', ...about, role: 'new_owner' }),
    );
  }
  if (ownerId && ownerId !== viewerId) {
    await ctx.quietly('tell the old owner', () =>
      ctx.notifier.tellRequester(ownerId, { kind: 'key_reassigned', ...about, role: 'old_owner' }),
    );
  }
  return { code: 'reassigned', key: label, to: newOwnerId };
}
