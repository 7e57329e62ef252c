/** Short messages (src/views/notices.ts): requesters' DMs, thread notes, error and refusal answers. */
export const notices = {
  keyManaged:
    '🔧 {user} {verb, select, shortened {shortened the expiry of} enabled {enabled} disabled {disabled} ' +
    'deleted {deleted} renamed {renamed} other {changed}} your ClickHouse API key {key}.',
  again: 'request it again with `{command}`',
  deniedHead: '⛔ Your request for the API key *{name}* was denied by {user}.',
  deniedText: 'Your API key request {name} was denied by {user}.',
  reason: '*Reason*',
  noReason: 'No reason was given.',
  expiredApproval:
    '⌛ Your request for the API key *{name}* expired before it was decided; {again} if you still need it.',
  expiredClaim:
    '⌛ The approval for the API key *{name}* expired before you created the key; {again} if you still need it.',
  notDeliveredDeleted:
    "⚠️ Slack didn't accept the message holding the secret of *{name}*, so the key was deleted; nobody has seen " +
    'its secret. Click *Create key* again.',
  notDeliveredPending:
    "⚠️ Slack didn't accept the message holding the secret of *{name}*, and we couldn't delete the key yet; " +
    'Keyhouse will delete it shortly. Click *Create key* again afterwards.',
  recovered:
    '🔄 Keyhouse restarted while making your API key *{name}*; nothing was left behind. Click *Create key* again.',
  changeApplied: '✅ The approved change to the API key *{name}* was applied.',
  changeFailed: '⚠️ The approved change to the API key *{name}* could not be applied: {why}',
  changeFailedRetry: 'Click *Apply change* in the message below to try again.',
  notApplied: 'ClickHouse did not apply it.',
  rotationStarted:
    '🔁 Your API key {key} was rotated: its successor is …{successor}. The old key keeps working until {when}, ' +
    'then it is disabled. Move your jobs to the new key before then.',
  keyRetired:
    '🔁 The rotation overlap of {key} ended: it is now *disabled* (its successor is …{successor}). It will be ' +
    'deleted {when}.',
  newOwner:
    '🔑 {user} made you the owner of the API key {key}{from, select, yes { (it was {previous}’s)} other {}}. It ' +
    'now shows in your `list`.',
  oldOwner: '🔑 {user} gave your API key {key} to {to}; you no longer own it.',
  approvedNote: '✅ {user} approved ({given} of {needed})',
  deniedNote: '⛔ {user} denied: {reason}',
  deniedNoteNoReason: '⛔ {user} denied (no reason given)',
  expiredNote: '⌛ Expired: the request was not decided in time.',
  createdNote: '🔑 Key created {when}',
  claimExpiredNote: '⌛ Expired: the requester did not create the key in time.',
  errorWithReference: '⚠️ {message} (reference `{reference}`)',
  notAllowed: 'You are not allowed to request ClickHouse API keys. To get access, ask {admins}.',
  notAllowedNoAdmins:
    'You are not allowed to request ClickHouse API keys. To get access, ask a Keyhouse admin.',
} as const;
