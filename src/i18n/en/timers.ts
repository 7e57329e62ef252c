/** The timed lifecycle's messages (src/views/timed-messages.ts): owners' DMs, threads, the security channel. */
export const timers = {
  expiryWarning: '⏳ Your ClickHouse API key {key} expires {when}.',
  role: 'Role: {role}',
  expiryActions: '*Extend* asks for a later expiry; *Rotate* makes a successor key with a new secret.',
  extend: 'Extend',
  rotate: 'Rotate',
  expired: '⌛ Your ClickHouse API key {key} expired {when}; it no longer works.',
  expiredText: 'Your ClickHouse API key {key} expired {when}.',
  willDelete: 'Keyhouse will delete it {when}.',
  expiredDeleted: '🗑️ Your ClickHouse API key {key}, expired {when}, was deleted as the policy asks.',

  staleNeverUsed: '💤 Your ClickHouse API key {key} has never been used since it was created {when}.',
  staleNotUsed: '💤 Your ClickHouse API key {key} was not used since {when}.',
  staleNeverUsedText: 'Your ClickHouse API key {key} was never used. Keep it?',
  staleNotUsedText: 'Your ClickHouse API key {key} was not used since {when}. Keep it?',
  staleChoices:
    '*Keep* leaves it as it is and asks again {when} if it stays unused; *Disable* stops it working (it can ' +
    'be enabled again); *Delete* removes it for good.',
  keep: 'Keep',
  disable: 'Disable',
  delete: 'Delete',
  confirmTitle: 'Delete this key?',
  confirmText: '{key} stops working at once, for good.',
  cancel: 'Cancel',
  kept: '✅ {user} kept {key}. Keyhouse asks again {when} if it stays unused.',
  keptText: 'Kept {key}; asks again {when} if it stays unused.',
  staleDone: '{kind, select, disabled {⏸️} other {🗑️}} {done} (by {user})',

  approvers: 'approvers',
  remind: '🔔 {who}: this request for *{name}* from {user} has been waiting {waited}.',
  escalate:
    '📣 {who}: this request for *{name}* from {user} has been waiting {waited} and still needs a decision.',
  cancelled: '🚫 Cancelled: {user} was deactivated in Slack, so the request for *{name}* no longer stands.',

  offboardOutcome:
    '{outcome, select, disabled {⏸️ disabled} deleted {🗑️ deleted} reported {👀 left as it is} ' +
    'already_disabled {⏸️ was already disabled} failed {⚠️ could not be changed; act on it here} ' +
    'other {↩️ left alone: it changed hands, or its owner came back}}',
  reactivated:
    '↩️ {user} was reactivated in Slack (seen by {via, select, event {a Slack event} other {the daily check}}). ' +
    'Offboarding has ended: {action, select, report {Their keys were only reported.} disable {Keys of theirs ' +
    'that offboarding disabled stay disabled; an admin may enable or reassign them from `list all`.} other ' +
    '{Keys of theirs that offboarding deleted stay deleted; an admin may enable or reassign the others from ' +
    '`list all`.}} Keys they get from now on are left alone.',
  offboarded:
    '🚪 {user} was deactivated in Slack (seen by {via, select, event {a Slack event} other {the daily check}}). ' +
    '{count, plural, one {# key} other {# keys}} they owned. {action, select, report {The policy only reports ' +
    'them.} disable {The policy disables them.} other {The policy deletes them.}}',
  offboardedText: 'User {user} was deactivated: {count, plural, one {# key} other {# keys}}.',
  offboardMore: '{count} more: see `list all`.',
  offboardVanished: '{count, plural, one {# key} other {# keys}} already gone from ClickHouse.',
  offboardCancelled: '{count, plural, one {# request} other {# requests}} of theirs cancelled.',
  offboardNoRequests: 'No request of theirs was waiting.',
} as const;
