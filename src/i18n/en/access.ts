/** On-call approval and break glass (product.md §15): the request modal's note, the channels' messages. */
export const access = {
  onCallNote:
    'You are on call ({group}): a request of up to {maxExpiry} is approved at once, without an approver. The approval channel is told who was approved and why.',
  onCallLonger:
    'On call ({group}) approves at once only up to {maxExpiry}; a longer expiry goes to the approvers.',
  breakGlassLabel: 'Break glass',
  breakGlassOption: 'Approve it myself (break glass)',
  breakGlassDescription:
    'Only in an emergency. Up to {maxExpiry}; an approver reviews it within {reviewWithin}.',
  confirmTitle: 'Break glass?',
  confirmText:
    'You approve your own request for {role}. The key works for at most {maxExpiry}. The security and approval channels are told at once, and an approver must review it within {reviewWithin}: Keep it, or Revoke it, which deletes the key. Until it is reviewed you cannot break glass again.',
  confirmYes: 'Break glass',
  confirmNo: 'Cancel',
  onCallApproved:
    ':pager: {user} was approved at once: on call as a member of {group}, for {expiry} (on call allows up to {maxExpiry}).',
  breakGlassTitle: 'Break glass: {user} approved their own request for {keyName} ({role})',
  breakGlassHeader: ':rotating_light: *Break glass* — {user} approved their own request.',
  keyName: '*Key name*',
  role: '*Role*',
  expiry: '*Expiry*',
  expiryValue: '{expiry} from creation',
  reason: '*Reason*',
  reviewDue: 'An approver must review it by {reviewBy}: *Keep* it, or *Revoke* it (the key is deleted).',
  keep: 'Keep',
  revoke: 'Revoke',
  revokeConfirmTitle: 'Revoke this key?',
  revokeConfirmText:
    'The key is deleted in ClickHouse Cloud at once (or never made, if it was not created yet).',
  kept: ':white_check_mark: Kept by {by} on {at}.',
  revokedDeleted: ':no_entry: Revoked by {by} on {at}; the key was deleted.',
  revokedNoKey: ':no_entry: Revoked by {by} on {at}; no key is made for it.',
  securityNotice:
    ':rotating_light: Break glass: {user} approved their own request for {keyName} ({role}, {expiry}). Reason: {reason} An approver reviews it in {channel} by {reviewBy}.',
  remind: '{mentions} this break glass still awaits review (due {reviewBy}).',
  escalate: '{mentions} overdue: this break glass was not reviewed by {reviewBy}.',
  escalateSecurity:
    ':rotating_light: Overdue: the break glass of {user} for {keyName} was not reviewed by {reviewBy}.',
  nobodyToMention: 'Approvers:',
} as const;
