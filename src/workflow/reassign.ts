import { KeyhouseError } from '../core/errors.js';
import { isUserId } from '../policy/index.js';
import type { WorkflowContext } from './context.js';
import { manageableKey } from './keys.js';

/**
 * Reassign (product.md §1, §8): an admin gives a key another Keyhouse owner, for a key made
 * outside Keyhouse or one whose owner left. Audited before the store changes; the old and the new
 * owner are told by DM. Returns the line shown where the admin acted.
 */
export async function reassignKey(
  ctx: WorkflowContext,
  viewerId: string,
  keyId: string,
  newOwnerId: string,
): Promise<string> {
  if (!(await ctx.policy.isAdmin(viewerId))) {
    await ctx.audit.after({
      actorId: viewerId,
      action: 'key.reassign',
      outcome: 'refused',
      keyId,
      detail: { why: 'not an admin' },
    });
    throw new KeyhouseError(
      'not_allowed',
      'Only Keyhouse admins can give a key another owner. Nothing was changed.',
    );
  }
  if (!isUserId(newOwnerId)) throw new KeyhouseError('invalid_input', 'Choose a person to own the key.');
  const { key, ownerId } = await manageableKey(ctx, viewerId, keyId);
  const label = `${key.name} (…${key.keySuffix})`;
  if (ownerId === newOwnerId) return `<@${newOwnerId}> already owns ${label}.`;
  if (ctx.people && (await ctx.people.status(newOwnerId)) === 'deactivated') {
    throw new KeyhouseError(
      'invalid_input',
      `<@${newOwnerId}> is deactivated in Slack; choose someone else.`,
    );
  }
  const previous = await ctx.store.getKeyOwner(keyId);
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
        // The role it was approved under stays with the key, whoever owns it.
        roleId: previous?.roleId ?? null,
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
  return `${label} now belongs to <@${newOwnerId}>.`;
}
