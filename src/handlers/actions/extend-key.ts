import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { KeyhouseError } from '../../errors.js';
import type { HandlerDeps } from '../deps.js';
import { openExtendDialog, parseKeyId } from '../shared/lifecycle.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** The Extend button of an expiry warning: opens the Extend dialog for the key its value names. */
export function extendKeyAction(deps: HandlerDeps) {
  return async ({ ack, action, body, client }: Args): Promise<void> => {
    await ack();
    const keyId = parseKeyId(action.value);
    if (!keyId) throw new KeyhouseError('not_found', 'That button no longer refers to a key.');
    await openExtendDialog(deps, client, {
      userId: body.user.id,
      keyId,
      triggerId: body.trigger_id,
      surface: { kind: 'none' },
    });
  };
}
