import type { Refusal, RefusalCode } from './outcomes.js';

/**
 * Keyhouse's own errors. Every error a user can run into carries a stable `code`, so the one
 * `app.error` handler can turn it into words without string matching.
 */
export const KEYHOUSE_ERROR_CODES = [
  'config_invalid',
  'policy_invalid',
  'not_allowed',
  'not_found',
  'already_decided',
  'expired',
  'invalid_input',
  'conflict',
  'audit_failed',
  'upstream_failed',
  'delivery_failed',
  'create_failed',
  'internal',
] as const;

export type KeyhouseErrorCode = (typeof KEYHOUSE_ERROR_CODES)[number];

/**
 * What a person reads for an error: a message id of the catalogs and its values, put into the
 * reader's language where the error is shown (src/handlers/errors.ts), never in the thrower's idea
 * of it. The core names no catalog; `errorSaying` (src/i18n) types the id.
 */
export interface ErrorWords {
  readonly id: string;
  readonly values?: Readonly<Record<string, string | number>>;
}

export interface KeyhouseErrorOptions extends ErrorOptions {
  /** The words a person reads; without them, the code's own sentence. */
  readonly words?: ErrorWords;
}

/**
 * The `message` is for logs, in English, and is never shown to a person: they read the error's
 * `words`, or else its code's sentence, from the catalogs in their language.
 */
export class KeyhouseError extends Error {
  override readonly name: string = 'KeyhouseError';
  readonly code: KeyhouseErrorCode;
  readonly words: ErrorWords | null;

  constructor(code: KeyhouseErrorCode, message: string, options?: KeyhouseErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.words = options?.words ?? null;
  }
}

export function isKeyhouseError(error: unknown, code?: KeyhouseErrorCode): error is KeyhouseError {
  return error instanceof KeyhouseError && (code === undefined || error.code === code);
}

/** How each refusal is classed, for logs, metrics and the error handler. */
const REFUSAL_CLASS: Record<RefusalCode, KeyhouseErrorCode> = {
  not_owner_or_admin: 'not_allowed',
  admins_only: 'not_allowed',
  list_all_restricted: 'not_allowed',
  not_approver: 'not_allowed',
  own_request: 'not_allowed',
  not_requester: 'not_allowed',
  keyhouse_key: 'not_allowed',
  may_no_longer_request: 'not_allowed',
  key_gone: 'not_found',
  request_gone: 'not_found',
  role_unknown: 'invalid_input',
  leaked: 'not_allowed',
  rotated_already: 'conflict',
  rotation_under_way: 'conflict',
  successor_in_overlap: 'conflict',
  retired: 'conflict',
  not_leaked: 'conflict',
  already_approved_by_you: 'already_decided',
  request_approved: 'already_decided',
  request_denied: 'already_decided',
  request_expired: 'expired',
  request_not_approved: 'conflict',
  key_being_created: 'conflict',
  key_already_created: 'already_decided',
  change_in_progress: 'conflict',
  stale_kept: 'conflict',
  break_glass_review_open: 'not_allowed',
  break_glass_unreviewed: 'conflict',
  not_break_glass: 'invalid_input',
  break_glass_reviewed: 'already_decided',
  keys_limit: 'not_allowed',
  open_requests_limit: 'not_allowed',
  new_owner_at_limit: 'invalid_input',
  new_owner_deactivated: 'invalid_input',
  choose_new_owner: 'invalid_input',
  already_owner: 'conflict',
  policy_role_missing: 'invalid_input',
  service_role_busy: 'conflict',
  service_role_conflict: 'invalid_input',
  approval_channel_unreachable: 'delivery_failed',
  replica_settling: 'conflict',
  create_failed: 'create_failed',
  key_withdrawn: 'create_failed',
  destination_unavailable: 'not_allowed',
  destination_taken: 'conflict',
  owner_changed: 'conflict',
  owner_active: 'conflict',
};

function classOf(refusal: Refusal): KeyhouseErrorCode {
  if (refusal.code !== 'key_withdrawn') return REFUSAL_CLASS[refusal.code];
  // Another instance took the request over (a conflict), the store failed, or Slack did.
  if (refusal.why === 'settled_elsewhere') return 'conflict';
  return refusal.why === 'not_delivered' ? 'delivery_failed' : 'create_failed';
}

/**
 * A rule said no. It carries the refusal as data; the error handler has the views put it into
 * words for whoever acted. Its `message` is for logs only.
 */
export class Refused extends KeyhouseError {
  override readonly name: string = 'Refused';
  readonly refusal: Refusal;

  constructor(refusal: Refusal, options?: ErrorOptions) {
    super(classOf(refusal), `refused: ${refusal.code}`, options);
    this.refusal = refusal;
  }
}

export function isRefused(error: unknown, code?: RefusalCode): error is Refused {
  return error instanceof Refused && (code === undefined || error.refusal.code === code);
}
