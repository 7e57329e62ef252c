/** The rules' answers (src/views/outcomes.ts): refusals, field problems, and what was done. */
export const outcomes = {
  // Refusals: why something was not done, for the person who asked.
  notOwnerOrAdmin: 'Only the key’s owner or an admin can change it. Nothing was changed.',
  adminsOnlyAudit: 'Only Keyhouse admins can read the audit log.',
  adminsOnlyReview: 'Only Keyhouse admins can review keys.',
  adminsOnlyReassign: 'Only Keyhouse admins can give a key another owner. Nothing was changed.',
  adminsOnlyLiftLeak: 'Only Keyhouse admins can lift a leak mark. Nothing was changed.',
  listAllRestricted: 'Only approvers and admins can list every key.',
  notApprover: 'Only approvers can decide key requests. Nothing was changed.',
  ownRequest: 'You cannot decide your own request; another approver has to.',
  notRequester: 'Only the person who requested this key can create it.',
  keyhouseKey: 'This is Keyhouse’s own key; change it in the ClickHouse console.',
  mayNoLongerRequest:
    '{roleRemoved, select, yes {This role is no longer in the policy} other {You may no longer request this role}}, ' +
    'so the key was not created. Ask a Keyhouse admin.',
  keyGone: 'That key no longer exists in ClickHouse.',
  requestGone: 'That request no longer exists.',
  roleUnknown:
    'This key’s role matches no role in the policy, so Keyhouse cannot ' +
    '{action, select, extend {extend it} other {make its successor}}. Request a new key instead.',
  leaked:
    '{key} was disabled because its secret leaked. It stays disabled until a Keyhouse admin lifts the ' +
    'leak mark; rotate it or delete it instead.',
  rotatedAlready: '{key} was already rotated; its successor is …{successor}.',
  rotationUnderWay: 'A rotation of {key} is already under way; see your direct messages.',
  successorInOverlap:
    '{key} replaced …{predecessor}, which keeps working until {until}; rotate it once that overlap has ended.',
  retired: '{key} was retired by a rotation; its successor is …{successor}.',
  notLeaked: '{key} is not marked leaked.',
  alreadyApprovedByYou: 'You already approved this request ({given} of {needed}).',
  requestApproved: 'This request was already approved.',
  requestDenied: 'This request was denied.',
  requestExpired:
    '{stage, select, approval {This request expired before it was decided.} ' +
    'claim {This approval has expired; request the key again.} other {This request has expired.}}',
  requestNotApproved: 'This request is not approved yet.',
  keyBeingCreated: 'This key is being created right now; its secret appears once, there.',
  keyAlreadyCreated: 'This key was already created; its secret was shown once.',
  changeInProgress: 'This change is already being applied, or no longer can be.',
  staleKept: 'That key was just kept; nothing changed.',
  breakGlassReviewOpen:
    'Your last break glass still awaits an approver’s review; you cannot break glass again until it is reviewed.',
  breakGlassUnreviewed:
    '{key} came from a break glass that awaits an approver’s review; it can be rotated once reviewed.',
  notBreakGlass: 'That request was not a break glass; there is nothing to review.',
  breakGlassReviewed: '{user} already reviewed it ({decision, select, keep {kept} other {revoked}}).',
  breakGlassNotOffered: '{roleLabel} offers no break glass.',
  keysLimit:
    'You already own {owned, plural, one {# key} other {# keys}} (the limit is {limit}). ' +
    'Delete one you no longer need (`list`), or ask an admin.',
  openRequestsLimit:
    'You already have {open, plural, one {# request} other {# requests}} open (the limit is {limit}). ' +
    'Create or cancel those keys first; the App Home lists them.',
  newOwnerAtLimit:
    '{user} already owns {owned, plural, one {# key} other {# keys}} (the limit is {limit}); choose someone ' +
    'else, or ask them to delete one.',
  newOwnerDeactivated: '{user} is deactivated in Slack; choose someone else.',
  chooseNewOwner: 'Choose a person to own the key.',
  alreadyOwner: '{user} already owns {key}.',
  policyRoleMissing:
    'The policy grants ClickHouse role "{clickhouseRole}" for {roleLabel}, but the organization has no such ' +
    'role. Ask an admin to fix the policy.',
  approvalChannelUnreachable:
    'Keyhouse could not post your request in <#{channel}>, so it was withdrawn. Ask an admin to invite the ' +
    'Keyhouse app to that channel, then request again.',
  replicaSettling: 'Another Keyhouse instance is settling this request; try again.',
  createFailed:
    '{leftBehind, select, yes {ClickHouse did not confirm the key. Keyhouse is cleaning up; click Create key ' +
    'again in a minute.} other {ClickHouse did not create the key, and none was left behind. Click Create key ' +
    'again; if it keeps failing, ask a Keyhouse admin.}}',
  keyWithdrawn:
    '{why, select, settled_elsewhere {This key was being settled by another Keyhouse instance, so the new key ' +
    'was deleted unseen. Click Create key again.} store_failed {Keyhouse could not record the new key, so it ' +
    'deleted it before anyone saw it. Click Create key again in a minute.} other {Slack did not take the ' +
    'message with your secret, so the new key was deleted. Click Create key again.}}',
  ownerChanged: 'The key has another owner now; nothing was done to it.',
  ownerActive: 'The key’s owner is active in Slack; nothing was done to it.',

  // Problems: what is wrong with one field, shown under it.
  keyNameEmpty: 'Enter a key name.',
  keyNameTooLong: 'Use at most {max} characters.',
  keyNamePattern: 'The name must match the pattern {pattern}',
  reasonMissing: 'Please give a reason.',
  reasonTooShort: 'Please give a reason of at least {min} characters.',
  reasonTooLong: 'Please keep the reason to {max} characters or fewer.',
  ipInvalid: 'line {line}: "{source}" is not an IPv4 address or CIDR',
  ipDescriptionTooLong: 'line {line}: the description is longer than {max} characters',
  ipTooMany: 'line {line}: at most {max} entries are allowed',
  mayNotRequestRole: 'You may not request this role.',
  mayNotExtend: 'You may not request {roleLabel} keys, so you cannot extend this one; ask an admin.',
  expiryTooLong: 'Choose an expiry of at most {maxExpiry} for {roleLabel}.',
  expiryBeyondRole: '{roleLabel} allows at most {maxExpiry}; choose an expiry.',
  roleGone: 'This key’s role is no longer in the policy; request a new key instead.',
  roleNeededForExpiry: 'This key’s role is not one the policy knows; choose a role to change its expiry.',
  overlapNotOffered: 'Choose one of the overlaps offered.',
  staleDialog: 'This dialog is out of date; open it again.',

  // Done: what was done, in one line (mrkdwn).
  alreadyInState: '{key} was already {state, select, enabled {enabled} other {disabled}}.',
  stateChanged: '{state, select, enabled {Enabled} other {Disabled}} {key}.',
  deleted: 'Deleted {key}.',
  renamed: 'Renamed {from} to {to}.',
  expirySet: '{key} now expires {at}.',
  expiryNever: '{key} now never expires.',
  changeSent: 'The change to {key} was sent for approval.',
  changeApplying: 'The change to {key} needs no approval for {roleLabel}; applying it.',
  nothingToChange: 'Nothing to change.',
  rotationSent: 'The rotation of {key} was sent for approval.',
  rotationStarted: 'Rotating {key}: click *Create key* in your direct messages to make its successor.',
  rotationDelivering:
    'Rotating {key}: its successor is being written to {place}. A direct message will say when it is there.',
  reassigned: '{key} now belongs to {user}.',
  leakLifted: 'Lifted the leak mark of {key}; it can be enabled again.',
} as const;
