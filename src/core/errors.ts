/**
 * Keyhouse's own errors. Every error a user can run into carries a stable `code`, so the one
 * `app.error` handler can turn it into words without string matching.
 */
export type KeyhouseErrorCode =
  | 'config_invalid'
  | 'policy_invalid'
  | 'not_allowed'
  | 'not_found'
  | 'already_decided'
  | 'expired'
  | 'invalid_input'
  | 'conflict'
  | 'audit_failed'
  | 'upstream_failed'
  | 'delivery_failed'
  | 'create_failed'
  | 'internal';

export class KeyhouseError extends Error {
  override readonly name: string = 'KeyhouseError';
  readonly code: KeyhouseErrorCode;

  constructor(code: KeyhouseErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export function isKeyhouseError(error: unknown, code?: KeyhouseErrorCode): error is KeyhouseError {
  return error instanceof KeyhouseError && (code === undefined || error.code === code);
}
