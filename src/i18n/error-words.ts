import { type ErrorWords, KeyhouseError, type KeyhouseErrorCode } from '../core/errors.js';
import type { MessageId, Values } from './catalog.js';

/** An error's words for a person: a catalog message and its values, formatted where it is shown. */
export function said(id: MessageId, values?: Values): ErrorWords {
  return values ? { id, values } : { id };
}

/**
 * An error a person reads as one catalog message, in their own language when the error handler
 * shows it. Its `message`, for logs, names the code and the message id.
 */
export function errorSaying(
  code: KeyhouseErrorCode,
  id: MessageId,
  values?: Values,
  options?: ErrorOptions,
): KeyhouseError {
  return new KeyhouseError(code, `${code}: ${id}`, { ...options, words: said(id, values) });
}
