import type { BlockAction, OverflowAction } from '@slack/bolt';
import { errorSaying } from '../../i18n/index.js';
import { deleteKeyModal, editKeyModal, liftLeakModal, reassignKeyModal } from '../../views/index.js';
import { doneText } from '../../views/outcomes.js';
import type { ActionArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { encodeLifecycleContext, loadingAndFailed, openRotateDialog } from '../shared/key-dialogs.js';
import { encodeContext, refreshSurface, type Surface } from '../shared/key-surface.js';
import { openModal } from '../shared/modal.js';
import { editServiceOffer } from '../shared/request-modal.js';
import { wordsNow, wordsOf } from '../shared/words.js';

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
    const userId = body.user.id;
    if (!match?.[1] || !match[2]) throw errorSaying('not_found', 'keyDialogs.menuGone');
    const verb = match[1];
    const keyId = match[2].toLowerCase();
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
              return liftLeakModal(await wordsOf(deps, userId), entry, context);
            },
            ...loadingAndFailed(wordsNow(deps, userId), 'keyDialogs.liftTitle'),
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
              const m = await wordsOf(deps, userId);
              if (!(await deps.policy.isAdmin(userId)))
                throw errorSaying('not_allowed', 'keyDialogs.onlyAdminsReassign');
              return reassignKeyModal(m, (await deps.workflow.manageable(userId, keyId)).entry, context);
            },
            ...loadingAndFailed(wordsNow(deps, userId), 'keyDialogs.reassignTitle'),
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
            async () => {
              const { entry } = await deps.workflow.manageable(userId, keyId);
              return deleteKeyModal(await wordsOf(deps, userId), entry, context);
            },
            ...loadingAndFailed(wordsNow(deps, userId), 'keyDialogs.deleteTitle'),
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
            return editKeyModal(await wordsOf(deps, userId), {
              entry,
              roles: await deps.policy.requestableRoles(userId),
              currentRoleId,
              selectedRoleId: null,
              expiryChoices: currentRoleId ? deps.policy.expiryChoices(currentRoleId) : [],
              context,
              services: await editServiceOffer(deps.workflow, currentRoleId, entry),
            });
          },
          ...loadingAndFailed(wordsNow(deps, userId), 'edit.title'),
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
