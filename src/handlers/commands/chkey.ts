import { setTimeout as sleep } from 'node:timers/promises';
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { helpMessage, notAllowedToRequest, unknownCommand } from '../../views/index.js';
import type { ListScope } from '../../workflow/index.js';
import type { HandlerDeps } from '../deps.js';
import { answer, renderKeyList, renderReview } from '../shared/key-surface.js';
import { requestModalFor } from '../shared/request-modal.js';
import { answerAudit } from './audit.js';

/** How long a list may take to be answered in the ack itself (Slack allows 3 s in all). */
const LIST_ACK_BUDGET_MS = 1_000;

/** A promise's outcome as a value, so it can be raced without an unhandled rejection. */
function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

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
    if (verb === 'review' && words.length === 1) {
      // Admins only (the workflow checks); the review asks ClickHouse and Slack, so it comes later.
      await ack();
      await answer(respond, await renderReview(deps, command.user_id, 0));
      return;
    }
    if (verb === 'audit') {
      await ack();
      return answerAudit(deps, command.user_id, words.slice(1), respond);
    }
    const scope = verb === 'list' && words.length <= 2 ? listScope(words[1]) : null;
    if (scope) {
      // Usually the key list is cached and the answer is ready at once: it goes in the ack. When
      // ClickHouse must be asked first, ack now and answer through the response_url.
      const rendering = settle(renderKeyList(deps, command.user_id, scope, 0));
      const quick = await Promise.race([rendering, sleep(LIST_ACK_BUDGET_MS).then(() => null)]);
      if (quick?.ok) return ack(quick.value);
      await ack();
      const done = quick ?? (await rendering);
      if (!done.ok) throw done.error;
      await answer(respond, done.value);
      return;
    }
    // `list` with other words is quoted whole: the unknown part may be the second word.
    return ack(unknownCommand(deps.command, verb === 'list' ? words.join(' ') : (words[0] ?? '')));
  };
}
