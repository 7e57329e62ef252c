import type { AllMiddlewareArgs, BlockAction, OverflowAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { KeyhouseError } from '../../errors.js';
import { deleteKeyModal, editKeyModal, reassignKeyModal } from '../../views/index.js';
import type { HandlerDeps } from '../deps.js';
import { encodeContext, refreshSurface, type Surface } from '../shared/key-surface.js';
import { encodeLifecycleContext, openRotateDialog } from '../shared/lifecycle.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<OverflowAction>>;

const MENU_VALUE = /^(disable|enable|edit|rotate|delete|reassign):([0-9a-f-]{36})$/i;
const KEY_BLOCK = /^keys\|(mine|all|review)\|(\d{1,4})\|/;

/**
 * A key's overflow menu. Disable and Enable act at once; Edit and Delete open their dialog
 * (Slack's confirm object would cover the whole menu, so Delete is confirmed by a dialog). The
 * authority to act is checked by the workflow against the store and the policy, never the payload.
 */
export function keyMenuAction(deps: HandlerDeps) {
  return async ({ ack, action, body, client }: Args): Promise<void> => {
    await ack();
    const match = MENU_VALUE.exec(action.selected_option?.value ?? '');
    if (!match?.[1] || !match[2])
      throw new KeyhouseError('not_found', 'That menu no longer refers to a key.');
    const verb = match[1];
    const keyId = match[2].toLowerCase();
    const userId = body.user.id;
    const surface = surfaceOf(body, action.block_id);

    if (verb === 'disable' || verb === 'enable') {
      const notice = await deps.workflow.setKeyState(
        userId,
        keyId,
        verb === 'enable' ? 'enabled' : 'disabled',
      );
      await refreshSurface(deps, client, userId, surface, notice);
      return;
    }
    if (verb === 'rotate') {
      await openRotateDialog(deps, client, { userId, keyId, triggerId: body.trigger_id, surface });
      return;
    }
    const { entry, currentRoleId } = await deps.workflow.manageable(userId, keyId);
    if (verb === 'reassign') {
      // Refused here already for a non-admin (the submission is checked again).
      if (!(await deps.policy.isAdmin(userId)))
        throw new KeyhouseError('not_allowed', 'Only Keyhouse admins can give a key another owner.');
      const context = encodeLifecycleContext({ keyId, roleId: null, needsReason: false, surface });
      await client.views.open({ trigger_id: body.trigger_id, view: reassignKeyModal(entry, context) });
      return;
    }
    const context = encodeContext({ keyId, surface });
    if (verb === 'delete') {
      await client.views.open({ trigger_id: body.trigger_id, view: deleteKeyModal(entry, context) });
      return;
    }
    const roles = await deps.policy.requestableRoles(userId);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: editKeyModal({
        entry,
        roles,
        currentRoleId,
        selectedRoleId: null,
        expiryChoices: currentRoleId ? deps.policy.expiryChoices(currentRoleId) : [],
        context,
      }),
    });
  };
}

/** A click in the App Home refreshes the Home tab; one in a list replaces that list message. */
function surfaceOf(body: BlockAction, blockId: string): Surface {
  const place = KEY_BLOCK.exec(blockId);
  if (body.view?.type === 'home' || !body.response_url || !place) return { kind: 'home' };
  if (place[1] === 'review')
    return { kind: 'review', responseUrl: body.response_url, page: Number(place[2]) };
  return {
    kind: 'list',
    responseUrl: body.response_url,
    scope: place[1] === 'all' ? 'all' : 'mine',
    page: Number(place[2]),
  };
}
