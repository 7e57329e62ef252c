import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { KeyhouseError } from '../../errors.js';
import { readDeleteModal } from '../../views/index.js';
import type { HandlerDeps } from '../deps.js';
import { decodeContext, refreshSurface } from '../shared/key-surface.js';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/** The Delete confirmation: the key is deleted in ClickHouse and the list shows it gone. */
export function deleteSubmitView(deps: HandlerDeps) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    await ack();
    const context = decodeContext(readDeleteModal(view).context);
    if (!context)
      throw new KeyhouseError('not_found', 'That dialog no longer refers to a key; nothing was deleted.');
    const notice = await deps.workflow.deleteKey(body.user.id, context.keyId);
    await refreshSurface(deps, client, body.user.id, context.surface, notice);
  };
}
