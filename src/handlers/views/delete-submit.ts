import { Refused } from '../../core/errors.js';
import { readDeleteModal } from '../../views/index.js';
import { doneText } from '../../views/outcomes.js';
import type { Listener, ViewAck, ViewArgs } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { decodeContext, refreshSurface } from '../shared/key-surface.js';
import { wordsNow } from '../shared/words.js';

/**
 * The Delete confirmation closes at once; the key is then deleted in ClickHouse and the list
 * shows it gone (replaced in place), or the person is told why not.
 */
export function deleteSubmitView(deps: HandlerDeps): Listener<ViewArgs, ViewAck> {
  return ({ body, view }) => ({
    after: async ({ client }) => {
      const context = decodeContext(readDeleteModal(view).context);
      if (!context) throw new Refused({ code: 'key_gone' });
      const done = await deps.workflow.deleteKey(body.user.id, context.keyId);
      await refreshSurface(
        deps,
        client,
        body.user.id,
        context.surface,
        doneText(wordsNow(deps, body.user.id), done),
      );
    },
  });
}
