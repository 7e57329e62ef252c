import { KeyhouseError } from '../../core/errors.js';
import { unlessWaiting, WOULD_WAIT } from '../../util/no-wait.js';
import {
  helpMessage,
  notAllowedToRequest,
  requestCheckingModal,
  requestOutcomeModal,
  unknownCommand,
} from '../../views/index.js';
import type { ListScope } from '../../workflow/index.js';
import type { CommandAck, CommandArgs, Listener, Reply } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { answer, renderKeyList, renderReview } from '../shared/key-surface.js';
import { openModal } from '../shared/modal.js';
import { requestModalFor } from '../shared/request-modal.js';
import { answerInTheirWords, wordsNow } from '../shared/words.js';
import { answerAudit } from './audit.js';

/** A promise's outcome as a value, so a failure can be handed on to the work after the ack. */
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

/**
 * `/chkey [request | list | list all | help]`. The request modal opens right after the ack, with no
 * ClickHouse call before it, while the trigger id is fresh (on "checking…" when the user's groups
 * are not cached yet). A list is the acknowledgement itself when it can be drawn from memory (a
 * cached key list); otherwise it follows through the response URL.
 */
export function chkeyCommand(deps: HandlerDeps): Listener<CommandArgs, CommandAck> {
  return async ({ command }): Promise<Reply<CommandAck>> => {
    const words = String(command.text ?? '')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    const verb = (words[0] ?? '').toLowerCase();
    const userId = command.user_id;

    if (verb === '' || verb === 'request') {
      return {
        after: ({ client }) =>
          openModal(
            deps,
            client,
            { triggerId: command.trigger_id, userId },
            async () => {
              const view = await requestModalFor(deps, userId);
              if (view) return view;
              throw new KeyhouseError('not_allowed', notAllowedToRequest(deps.policy.adminsToAsk()).text);
            },
            requestCheckingModal(wordsNow(deps, userId)),
            (text) => requestOutcomeModal(wordsNow(deps, userId), { ok: false, text }),
          ),
      };
    }
    if (verb === 'help') return answerInTheirWords(deps, userId, (m) => helpMessage(m, deps.command));
    if (verb === 'review' && words.length === 1) {
      // Admins only (the workflow checks); the review asks ClickHouse and Slack: after the ack.
      return { after: async ({ respond }) => answer(respond, await renderReview(deps, userId, 0)) };
    }
    if (verb === 'audit') {
      // Admin membership may need a user-group look-up: answered after the ack.
      return { after: ({ respond }) => answerAudit(deps, userId, words.slice(1), respond) };
    }
    const scope = verb === 'list' && words.length <= 2 ? listScope(words[1]) : null;
    if (scope) {
      const ready = await settle(unlessWaiting(() => renderKeyList(deps, userId, scope, 0)));
      if (ready.ok && ready.value !== WOULD_WAIT) return { ack: ready.value };
      return {
        after: async ({ respond }) => {
          if (!ready.ok) throw ready.error;
          await answer(respond, await renderKeyList(deps, userId, scope, 0));
        },
      };
    }
    // `list` with other words is quoted whole: the unknown part may be the second word.
    const unknown = verb === 'list' ? words.join(' ') : (words[0] ?? '');
    return answerInTheirWords(deps, userId, (m) => unknownCommand(m, deps.command, unknown));
  };
}
