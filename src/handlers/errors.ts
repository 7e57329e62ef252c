import { randomBytes } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { isKeyhouseError, isRefused, type KeyhouseErrorCode } from '../core/errors.js';
import type { Readers } from '../core/locale.js';
import { Catalog, type Messages } from '../i18n/index.js';
import { errorNotice } from '../views/index.js';
import { refusalText } from '../views/outcomes.js';

/** Codes whose message is written for the person who clicked: shown as they are. */
const SPOKEN: ReadonlySet<KeyhouseErrorCode> = new Set([
  'not_allowed',
  'not_found',
  'already_decided',
  'expired',
  'invalid_input',
  'conflict',
  'audit_failed',
  'delivery_failed',
  'create_failed',
]);

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
 * carries. A refusal is put into words here; a spoken KeyhouseError carries its own sentence.
 */
export function describeError(
  m: Messages,
  error: unknown,
  command = '/chkey',
): { text: string; reference: string | null } {
  const cause = unwrap(error);
  if (isRefused(cause)) return { text: refusalText(m, cause.refusal), reference: null };
  if (isKeyhouseError(cause) && SPOKEN.has(cause.code)) return { text: cause.message, reference: null };
  const reference = randomBytes(4).toString('hex').toUpperCase();
  // An upstream failure may or may not have taken effect (a lost answer): say so, not "nothing changed".
  const text = isKeyhouseError(cause, 'upstream_failed')
    ? m.t('errors.notConfirmed', { command, reference })
    : m.t('errors.wentWrong', { reference });
  return { text, reference };
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
    else deps.logger.info({ code: (unwrap(error) as { code?: string }).code, userId }, text);

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
