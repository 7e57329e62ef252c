/** `/chkey audit` (src/views/audit.ts): events as sentences people read, not rule ids (issue #20). */
export const audit = {
  keyhouse: 'Keyhouse',
  policy: 'Keyhouse (the policy)',
  /** What was done, and to what (`{subject}`), after who did it: each language's order. */
  verb:
    '{verb, select, requested { requested {subject}} approved { approved {subject}} denied { denied ' +
    '{subject}} lapsed { let expire {subject}} withdrew { withdrew {subject}} released { released ' +
    '{subject}} cancelled { cancelled {subject}} created { created {subject}} revealed { showed the ' +
    'secret of {subject}} delivered { delivered the secret of {subject}} enabled { enabled {subject}} ' +
    'disabled { disabled {subject}} deleted { deleted {subject}} edited { edited {subject}} changed { ' +
    'changed {subject}} managed { tried to manage {subject}} vanished { found missing {subject}} kept ' +
    '{ kept {subject}} lifted { lifted the leak mark of {subject}} reassigned { gave another owner to ' +
    '{subject}} retiring { began retiring {subject}} leakSeen { saw a pasted secret of {subject}} ' +
    'leakDisabled { disabled (leaked) {subject}} leakDeleted { deleted (leaked) {subject}} ' +
    'leakEnforced { disabled again (leaked) {subject}} driftSeen { saw a change outside Keyhouse to ' +
    '{subject}} driftDisabled { disabled (made outside Keyhouse) {subject}} driftMalformed { could ' +
    'not read a console activity about {subject}} driftRead { read the console activity log about ' +
    '{subject}} expiryWarned { warned the owner of the expiry of {subject}} expiryTold { told the ' +
    'owner of the expiry of {subject}} expiryDeleted { deleted (expired) {subject}} staleAsked { ' +
    'asked the owner whether to keep {subject}} reminded { reminded the approvers of {subject}} ' +
    'escalated { asked the admins to decide {subject}} offboardStarted { started offboarding the ' +
    'owner of {subject}} offboardApplied { applied the offboarding policy to {subject}} ' +
    'offboardReported { reported the offboarding of {subject}} offboardChecked { checked in Slack the ' +
    'owner of {subject}} ownerBack { noted the return of the owner of {subject}} retired { retired ' +
    'after its rotation {subject}} headPosted { posted the audit chain head, after {subject}} ' +
    'chainLinked { linked the older events into the audit chain, after {subject}} ' +
    'refusedEvent { could not record an event about {subject}} serviceRoleMade { made a service role for {subject}} serviceRoleCleaned { cleaned up an unused service role ' +
    'of {subject}} leakOutside { saw a secret found outside Slack of {subject}} announced { posted, ' +
    'after a restart, the request {subject}} other { did `{action}` to {subject}}}',
  forWhom: 'for {user}',
  started: '_(started)_',
  failed: '_(failed)_',
  refused: '_(refused)_',
  aRequest: 'a request',
  aKey: 'a key',
  keepExpiry: 'the old key’s end',
  titleAll: 'Latest audit events',
  titleKey: 'Latest audit events for key {key}',
  titleUser: 'Latest audit events by or about {user}',
  heading: '*{title}* (newest first)',
  empty: '{title}: nothing recorded.',
  count: '{title}: {count, plural, one {# event} other {# events}}',
  refusedToRead:
    'Only Keyhouse admins can read the audit log. Ask an admin if you need to know what happened to a key.',
} as const;
