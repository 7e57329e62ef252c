import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { helpMessage, notAllowedToRequest, unknownCommand } from '../../views/index.js';
import type { ListScope } from '../../workflow/index.js';
import type { HandlerDeps } from '../deps.js';
import { answer, renderKeyList } from '../shared/key-surface.js';
import { requestModalFor } from '../shared/request-modal.js';

/** `list` and `list mine` show one's own keys, `list all` every key; anything else is not a list. */
function listScope(word: string | undefined): ListScope | null {
  const w = (word ?? 'mine').toLowerCase();
  return w === 'mine' || w === 'all' ? w : null;
}

type Args = AllMiddlewareArgs & SlackCommandMiddlewareArgs;

/**
 * `/chkey [request | list | list all | help]`. Every branch acks at once; the request modal opens
 * right after the ack, with no ClickHouse call before it, while the trigger id is fresh.
 */
export function chkeyCommand(deps: HandlerDeps) {
  return async ({ command, ack, client, respond }: Args): Promise<void> => {
    const words = String(command.text ?? '')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    const verb = (words[0] ?? '').toLowerCase();

    if (verb === '' || verb === 'request') {
      await ack();
      const view = await requestModalFor(deps.policy, command.user_id);
      if (view) await client.views.open({ trigger_id: command.trigger_id, view });
      else await answer(respond, notAllowedToRequest(deps.policy.adminsToAsk()));
      return;
    }
    if (verb === 'help') return ack(helpMessage(deps.command));
    const scope = verb === 'list' && words.length <= 2 ? listScope(words[1]) : null;
    if (scope) {
      // Listing reads ClickHouse: ack now, answer through the response_url when the list is ready.
      await ack();
      await answer(respond, await renderKeyList(deps, command.user_id, scope, 0));
      return;
    }
    // `list` with other words is quoted whole: the unknown part may be the second word.
    return ack(unknownCommand(deps.command, verb === 'list' ? words.join(' ') : (words[0] ?? '')));
  };
}
