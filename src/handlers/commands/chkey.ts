import { errorSaying, type Messages } from '../../i18n/index.js';
import { unlessWaiting, WOULD_WAIT } from '../../util/no-wait.js';
import type { HelpFor, HelpMessage } from '../../views/help.js';
import { helpMessage, requestCheckingModal, requestOutcomeModal, unknownCommand } from '../../views/index.js';
import type { ListScope } from '../../workflow/index.js';
import type { CommandAck, CommandArgs, Listener, Reply } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { answer, renderKeyList, renderReview } from '../shared/key-surface.js';
import { openModal } from '../shared/modal.js';
import { requestModalFor } from '../shared/request-modal.js';
import { answerInTheirWords, wordsNow, wordsOf } from '../shared/words.js';
import { answerAudit } from './audit.js';

/** A promise's outcome as a value, so a failure can be handed on to the work after the ack. */
function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** What this person may do, for help that offers only that. */
async function helpFor(deps: HandlerDeps, userId: string): Promise<HelpFor> {
  const [roles, listAll, admin] = await Promise.all([
    deps.policy.requestableRoles(userId),
    deps.policy.canListAll(userId),
    deps.policy.isAdmin(userId),
  ]);
  return { request: roles.length > 0, listAll, admin, adminsToAsk: deps.policy.adminsToAsk() };
}

/**
 * Help or usage, for what the person may do: the acknowledgement itself when their groups are
 * known, else a moment later through the response URL once Slack has named them.
 */
async function answerUsage(
  deps: HandlerDeps,
  userId: string,
  render: (m: Messages, can: HelpFor) => HelpMessage,
): Promise<Reply<CommandAck>> {
  const can = await unlessWaiting(() => helpFor(deps, userId));
  if (can !== WOULD_WAIT) return answerInTheirWords(deps, userId, (m) => render(m, can));
  return {
    after: async ({ respond }) =>
      answer(respond, render(await wordsOf(deps, userId), await helpFor(deps, userId))),
  };
}

/** From this wait on, a person is told they are waiting for ClickHouse rather than left with nothing. */
const SAY_WAIT_FROM_MS = 2_000;

/**
 * "⏳ Waiting for ClickHouse, about N s", when the budget (10 requests per 10 s, shared fairly) will
 * hold this person's next request back that long; null when it goes at once or nearly.
 */
function waitingForClickHouse(deps: HandlerDeps, userId: string): HelpMessage | null {
  const ms = deps.budgetWaitMs?.() ?? 0;
  if (ms < SAY_WAIT_FROM_MS) return null;
  const text = wordsNow(deps, userId).t('newcomer.waitingForClickHouse', { seconds: Math.ceil(ms / 1000) });
  return { text, response_type: 'ephemeral' };
}

/** `list` and `list mine` show one's own keys, `list all` every key; anything else is not a list. */
function listScope(word: string | undefined): ListScope | null {
  const w = (word ?? 'mine').toLowerCase();
  return w === 'mine' || w === 'all' ? w : null;
}

/**
 * `/chkey [request | list | list all | review | audit | help]`. The request modal opens right after the ack, with no
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
              // Told in words the error handler puts into the clicker's language, naming whom to ask.
              const admins = deps.policy.adminsToAsk().trim();
              throw admins
                ? errorSaying('not_allowed', 'notices.notAllowed', { admins })
                : errorSaying('not_allowed', 'notices.notAllowedNoAdmins');
            },
            requestCheckingModal(wordsNow(deps, userId)),
            (text) => requestOutcomeModal(wordsNow(deps, userId), { ok: false, text }),
          ),
      };
    }
    if (verb === 'help') return answerUsage(deps, userId, (m, can) => helpMessage(m, deps.command, can));
    if (verb === 'review' && words.length === 1) {
      // Admins only (the workflow checks); the review asks ClickHouse and Slack: after the ack, said
      // at once when the budget will hold it back.
      const waiting = waitingForClickHouse(deps, userId);
      return {
        ...(waiting ? { ack: waiting } : {}),
        after: async ({ respond }) => {
          const review = await renderReview(deps, userId, 0);
          await answer(respond, waiting ? { ...review, replace_original: true } : review);
        },
      };
    }
    if (verb === 'audit') {
      // Admin membership may need a user-group look-up: answered after the ack.
      return { after: ({ respond }) => answerAudit(deps, userId, words.slice(1), respond) };
    }
    const scope = verb === 'list' && words.length <= 2 ? listScope(words[1]) : null;
    if (scope) {
      const ready = await settle(unlessWaiting(() => renderKeyList(deps, userId, scope, 0)));
      if (ready.ok && ready.value !== WOULD_WAIT) return { ack: ready.value };
      // Not at hand: when ClickHouse's budget will hold the list back, say so now, then replace it.
      const waiting = ready.ok ? waitingForClickHouse(deps, userId) : null;
      return {
        ...(waiting ? { ack: waiting } : {}),
        after: async ({ respond }) => {
          if (!ready.ok) throw ready.error;
          const list = await renderKeyList(deps, userId, scope, 0);
          await answer(respond, waiting ? { ...list, replace_original: true } : list);
        },
      };
    }
    // `list` with other words is quoted whole: the unknown part may be the second word.
    const unknown = verb === 'list' ? words.join(' ') : (words[0] ?? '');
    return answerUsage(deps, userId, (m, can) => unknownCommand(m, deps.command, unknown, can));
  };
}
