import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { KeyhouseError } from '../../errors.js';
import { denyModal } from '../../views/index.js';
import { type HandlerDeps, parseRequestId } from '../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** Deny asks for an optional reason first, and only someone who could deny gets the dialog. */
export function denyAction(deps: HandlerDeps) {
  return async ({ ack, action, body, client }: Args): Promise<void> => {
    await ack();
    const requestId = parseRequestId(action.value);
    await deps.workflow.checkCanDecide(requestId, body.user.id);
    const request = await deps.workflow.getRequest(requestId);
    if (!request) throw new KeyhouseError('not_found', 'That request no longer exists.');
    await client.views.open({ trigger_id: body.trigger_id, view: denyModal(request) });
  };
}
