import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { comingSoon, helpMessage, notAllowedToRequest, unknownCommand } from '../../views/index.js';
import type { HandlerDeps } from '../deps.js';
import { requestModalFor } from '../shared/request-modal.js';

type Args = AllMiddlewareArgs & SlackCommandMiddlewareArgs;

/**
 * `/chkey [request | list | list all | help]`. Every branch acks at once; the request modal opens
 * right after the ack, with no ClickHouse call before it, while the trigger id is fresh.
 */
export function chkeyCommand(deps: HandlerDeps) {
  return async ({ command, ack, client, respond }: Args): Promise<void> => {
    const words = command.text.trim().split(/\s+/).filter(Boolean);
    const verb = (words[0] ?? '').toLowerCase();

    if (verb === '' || verb === 'request') {
      await ack();
      const view = await requestModalFor(deps.policy, command.user_id);
      if (view) await client.views.open({ trigger_id: command.trigger_id, view });
      else await respond(notAllowedToRequest(deps.policy.adminsToAsk()));
      return;
    }
    if (verb === 'help') return ack(helpMessage(deps.command));
    if (verb === 'list') return ack(comingSoon(deps.command, 'list'));
    return ack(unknownCommand(deps.command, words[0] ?? ''));
  };
}
