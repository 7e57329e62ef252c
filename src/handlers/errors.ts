import { randomBytes } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { type ErrorWords, isKeyhouseError, isRefused, type KeyhouseErrorCode } from '../core/errors.js';
import type { Readers } from '../core/locale.js';
import { Catalog, type MessageId, type Messages } from '../i18n/index.js';
import { errorNotice } from '../views/index.js';
import { refusalText } from '../views/outcomes.js';

/**
 * What a person reads for an error that carries no words of its own: its code's sentence, with a
 * reference id. Every code has one, so a new code cannot reach a person as program text.
 */
const SENTENCE: Readonly<Record<KeyhouseErrorCode, MessageId>> = {
  config_invalid: 'errors.wentWrong',
  policy_invalid: 'errors.wentWrong',
  internal: 'errors.wentWrong',
  // An upstream failure may or may not have taken effect (a lost answer): say so, not "nothing changed".
  upstream_failed: 'errors.notConfirmed',
  not_allowed: 'errors.notAllowed',
  not_found: 'errors.notFound',
  already_decided: 'errors.alreadyDecided',
  expired: 'errors.expired',
  invalid_input: 'errors.invalidInput',
  conflict: 'errors.conflict',
  audit_failed: 'errors.auditFailed',
  delivery_failed: 'errors.deliveryFailed',
  create_failed: 'errors.createFailed',
};

/** What Bolt hands an extended error handler (the type is not exported from Bolt's index). */
export interface ErrorHandlerArgs {
  error: Error;
  body: unknown;
}

export interface ErrorHandlerDeps {
  logger: Logger;
  client: WebClient;
  fetch?: typeof fetch;
  /** Each person's words; without them, the catalog's English (the default language). */
  catalog?: Catalog;
  readers?: Readers;
  /** The slash command, named in what to check; default `/chkey`. */
  command?: string;
}

/**
 * The words a user reads for an error, in their language, and the reference id the log line
 * carries. A refusal is put into words by the views, an error with words of its own is told in
 * them, and any other error by its code's sentence and a reference: an error's `message` is for
 * the log, never shown.
 */
export function describeError(
  m: Messages,
  error: unknown,
  command = '/chkey',
): { text: string; reference: string | null } {
  const cause = unwrap(error);
  if (isRefused(cause)) return { text: refusalText(m, cause.refusal), reference: null };
  if (isKeyhouseError(cause) && cause.words) {
    const text = wordsOf(m, cause.words, command);
    if (text !== null) return { text, reference: null };
  }
  const reference = randomBytes(4).toString('hex').toUpperCase();
  const code = isKeyhouseError(cause) ? cause.code : 'internal';
  return { text: m.t(SENTENCE[code], { command, reference }), reference };
}

/** An error's own words in the reader's language; null when the catalog has no such message. */
function wordsOf(m: Messages, words: ErrorWords, command: string): string | null {
  try {
    return m.t(words.id as MessageId, { command, ...words.values });
  } catch {
    return null;
  }
}

/** What the log says of an error told in words: its code and its own (English) message. */
export function loggedAs(error: unknown): { code: string | undefined; message: string } {
  const cause = unwrap(error);
  if (cause instanceof Error) return { code: (cause as { code?: string }).code, message: cause.message };
  return { code: undefined, message: String(cause) };
}

const fallbackCatalog = new Catalog();

/** The person's words when Slack has said them (or can say them now); else the default language. */
async function wordsFor(deps: ErrorHandlerDeps, userId: unknown): Promise<Messages> {
  const catalog = deps.catalog ?? fallbackCatalog;
  if (typeof userId !== 'string' || !deps.readers) return catalog.messages({ locale: 'en', timeZone: 'UTC' });
  try {
    return catalog.messages(await deps.readers.of(userId));
  } catch {
    return catalog.messages(deps.readers.now(userId));
  }
}

/** Bolt wraps an error that escaped a listener; our own sits inside. */
function unwrap(error: unknown): unknown {
  if (error && typeof error === 'object' && 'original' in error && error.original instanceof Error) {
    return error.original;
  }
  return error;
}

/**
 * The one `app.error` handler: logs every failure (under a reference id when it is not one of
 * ours), then tells the person who acted what happened, ephemerally where the payload allows
 * (`response_url`), else by direct message.
 */
export function createErrorHandler(deps: ErrorHandlerDeps): (args: ErrorHandlerArgs) => Promise<void> {
  const send = deps.fetch ?? fetch;
  return async ({ error, body }) => {
    const payload = (body ?? {}) as { response_url?: unknown; user?: { id?: unknown }; user_id?: unknown };
    const userId = typeof payload.user_id === 'string' ? payload.user_id : payload.user?.id;
    const m = await wordsFor(deps, userId);
    const { text, reference } = describeError(m, error, deps.command);
    if (reference) deps.logger.error({ err: unwrap(error), reference, userId }, 'listener failed');
    else {
      const { code, message } = loggedAs(error);
      deps.logger.info({ code, userId }, message);
    }

    const notice = errorNotice(m, text);
    try {
      if (typeof payload.response_url === 'string') {
        const answer = await send(payload.response_url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(notice),
          signal: AbortSignal.timeout(5_000),
        });
        if (answer.ok) return;
      }
      if (typeof userId === 'string')
        await deps.client.chat.postMessage({ channel: userId, text: notice.text });
    } catch (failure) {
      deps.logger.warn({ err: failure, reference }, 'could not tell the user about an error');
    }
  };
}
