import { randomBytes } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { isKeyhouseError, isRefused, type KeyhouseErrorCode } from '../core/errors.js';
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
}

/** The words a user reads for an error, and the reference id the log line carries. */
export function describeError(error: unknown): { text: string; reference: string | null } {
  const cause = unwrap(error);
  if (isRefused(cause)) return { text: refusalText(cause.refusal), reference: null };
  if (isKeyhouseError(cause) && SPOKEN.has(cause.code)) return { text: cause.message, reference: null };
  const reference = randomBytes(4).toString('hex').toUpperCase();
  // An upstream failure may or may not have taken effect (a lost answer): say so, not "nothing changed".
  const text = isKeyhouseError(cause, 'upstream_failed')
    ? 'ClickHouse did not confirm the request, so it may or may not have taken effect; check `/chkey list` before trying again.'
    : 'Something went wrong in Keyhouse.';
  return { text: `${text} Reference: ${reference}.`, reference };
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
    const { text, reference } = describeError(error);
    const payload = (body ?? {}) as { response_url?: unknown; user?: { id?: unknown }; user_id?: unknown };
    const userId = typeof payload.user_id === 'string' ? payload.user_id : payload.user?.id;
    if (reference) deps.logger.error({ err: unwrap(error), reference, userId }, 'listener failed');
    else deps.logger.info({ code: (unwrap(error) as { code?: string }).code, userId }, text);

    const notice = errorNotice(text);
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
