import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { isKeyhouseError } from '../../errors.js';
import { BLOCK } from '../../views/ids.js';
import { readDenyModal } from '../../views/index.js';
import { type HandlerDeps, parseRequestId } from '../deps.js';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/**
 * The deny dialog's submission. If the request was decided while the dialog was open, the dialog
 * says so instead of closing; otherwise it closes and the denial is recorded.
 */
export function denySubmitView(deps: HandlerDeps) {
  return async ({ ack, body, view }: Args): Promise<void> => {
    const { requestId: raw, reason } = readDenyModal(view);
    let requestId: string;
    try {
      requestId = parseRequestId(raw);
      await deps.workflow.checkCanDecide(requestId, body.user.id);
    } catch (error) {
      if (!isKeyhouseError(error)) throw error;
      await ack({ response_action: 'errors', errors: { [BLOCK.denyReason]: error.message } });
      return;
    }
    await ack();
    await deps.workflow.deny(requestId, body.user.id, reason);
  };
}
