import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { KeyhouseError } from '../../errors.js';
import type { HandlerDeps } from '../deps.js';
import { openRotateDialog, parseKeyId } from '../shared/lifecycle.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/**
 * A Rotate button outside the key list (an expiry warning, a leak notice): opens the Rotate
 * dialog for the key its value names, once the workflow checked the clicker may rotate it.
 */
export function rotateKeyAction(deps: HandlerDeps) {
  return async ({ ack, action, body, client }: Args): Promise<void> => {
    await ack();
    const keyId = parseKeyId(action.value);
    if (!keyId) throw new KeyhouseError('not_found', 'That button no longer refers to a key.');
    await openRotateDialog(deps, client, {
      userId: body.user.id,
      keyId,
      triggerId: body.trigger_id,
      surface: { kind: 'none' },
    });
  };
}
