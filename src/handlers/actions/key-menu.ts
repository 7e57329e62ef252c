import type { BlockAction, OverflowAction } from '@slack/bolt';
import { KeyhouseError } from '../../core/errors.js';
import {
  deleteKeyModal,
  editKeyModal,
  editLoadingModal,
  editOutcomeModal,
  liftLeakModal,
  outcomeModal,
  reassignKeyModal,
  workingModal,
} from '../../views/index.js';
import { doneText } from '../../views/outcomes.js';
import type { ActionArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { encodeLifecycleContext, openRotateDialog } from '../shared/key-dialogs.js';
import { encodeContext, refreshSurface, type Surface } from '../shared/key-surface.js';
import { openModal } from '../shared/modal.js';
import { editServiceOffer } from '../shared/request-modal.js';
import { wordsNow } from '../shared/words.js';

const MENU_VALUE = /^(disable|enable|edit|rotate|delete|reassign|lift):([0-9a-f-]{36})$/i;
const KEY_BLOCK = /^keys\|(mine|all|review)\|(\d{1,4})\|/;

/**
 * A key's overflow menu. Disable and Enable act after the acknowledgement and replace the list in
 * place; Edit and Delete open their dialog at once (Slack's confirm object would cover the whole
 * menu, so Delete is confirmed by a dialog), on "looking the key up…" while ClickHouse answers.
 * The authority to act is checked by the workflow against the store and the policy, never the
 * payload; a refusal known without the network opens no dialog.
 */
export function keyMenuAction(deps: HandlerDeps): Listener<ActionArgs<BlockAction<OverflowAction>>, never> {
  return ({ action, body }) => {
    const match = MENU_VALUE.exec(action.selected_option?.value ?? '');
    if (!match?.[1] || !match[2])
      throw new KeyhouseError('not_found', 'That menu no longer refers to a key.');
    const verb = match[1];
    const keyId = match[2].toLowerCase();
    const userId = body.user.id;
    const surface = surfaceOf(body, action.block_id);

    if (verb === 'disable' || verb === 'enable') {
      return {
        after: async ({ client }) => {
          const done = await deps.workflow.setKeyState(
            userId,
            keyId,
            verb === 'enable' ? 'enabled' : 'disabled',
          );
          await refreshSurface(deps, client, userId, surface, doneText(wordsNow(deps, userId), done));
        },
      };
    }
    if (verb === 'rotate') {
      return {
        after: ({ client }) =>
          openRotateDialog(deps, client, { userId, keyId, triggerId: body.trigger_id, surface }),
      };
    }
    if (verb === 'lift') {
      const context = encodeLifecycleContext({ keyId, roleId: null, needsReason: true, surface });
      return {
        after: ({ client }) =>
          openModal(
            deps,
            client,
            { triggerId: body.trigger_id, userId },
            async () => {
              // The gate refuses before any dialog: not an admin, or no mark to lift.
              const { entry } = await deps.workflow.liftLeakForm(userId, keyId);
              return liftLeakModal(entry, context);
            },
            workingModal('Lift leak mark', 'Looking the key up in ClickHouse…'),
            (text) => outcomeModal('Lift leak mark', { ok: false, text }),
          ),
      };
    }
    if (verb === 'reassign') {
      const context = encodeLifecycleContext({ keyId, roleId: null, needsReason: false, surface });
      return {
        after: ({ client }) =>
          openModal(
            deps,
            client,
            { triggerId: body.trigger_id, userId },
            async () => {
              // Refused before any dialog for a non-admin (the submission is checked again).
              if (!(await deps.policy.isAdmin(userId)))
                throw new KeyhouseError('not_allowed', 'Only Keyhouse admins can give a key another owner.');
              return reassignKeyModal((await deps.workflow.manageable(userId, keyId)).entry, context);
            },
            workingModal('Reassign key', 'Looking the key up in ClickHouse…'),
            (text) => outcomeModal('Reassign key', { ok: false, text }),
          ),
      };
    }
    const context = encodeContext({ keyId, surface });
    const opening = { triggerId: body.trigger_id, userId };
    if (verb === 'delete') {
      return {
        after: ({ client }) =>
          openModal(
            deps,
            client,
            opening,
            async () => deleteKeyModal((await deps.workflow.manageable(userId, keyId)).entry, context),
            workingModal('Delete key', 'Looking the key up in ClickHouse…'),
            (text) => outcomeModal('Delete key', { ok: false, text }),
          ),
      };
    }
    return {
      after: ({ client }) =>
        openModal(
          deps,
          client,
          opening,
          async () => {
            const { entry, currentRoleId } = await deps.workflow.manageable(userId, keyId);
            return editKeyModal({
              entry,
              roles: await deps.policy.requestableRoles(userId),
              currentRoleId,
              selectedRoleId: null,
              expiryChoices: currentRoleId ? deps.policy.expiryChoices(currentRoleId) : [],
              context,
              services: await editServiceOffer(deps.workflow, currentRoleId, entry),
            });
          },
          editLoadingModal(),
          (text) => editOutcomeModal({ ok: false, text }),
        ),
    };
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
