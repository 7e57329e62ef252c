import type { BlockAction, ButtonAction } from '@slack/bolt';
import { errorSaying } from '../../i18n/index.js';
import type { ActionArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { openExtendDialog, parseKeyId } from '../shared/key-dialogs.js';

/** The Extend button of an expiry warning: opens the Extend dialog for the key its value names. */
export function extendKeyAction(deps: HandlerDeps): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return ({ action, body }) => {
    const keyId = parseKeyId(action.value);
    if (!keyId) throw errorSaying('not_found', 'keyDialogs.buttonGone');
    return {
      after: ({ client }) =>
        openExtendDialog(deps, client, {
          userId: body.user.id,
          keyId,
          triggerId: body.trigger_id,
          surface: { kind: 'none' },
        }),
    };
  };
}
