import type { BlockAction, ButtonAction } from '@slack/bolt';
import { errorSaying } from '../../i18n/index.js';
import type { ActionArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { openRotateDialog, parseKeyId } from '../shared/key-dialogs.js';

/**
 * A Rotate button outside the key list (an expiry warning, a leak notice): opens the Rotate
 * dialog for the key its value names, once the workflow checked the clicker may rotate it.
 */
export function rotateKeyAction(deps: HandlerDeps): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return ({ action, body }) => {
    const keyId = parseKeyId(action.value);
    if (!keyId) throw errorSaying('not_found', 'keyDialogs.buttonGone');
    return {
      after: ({ client }) =>
        openRotateDialog(deps, client, {
          userId: body.user.id,
          keyId,
          triggerId: body.trigger_id,
          surface: { kind: 'none' },
        }),
    };
  };
}
