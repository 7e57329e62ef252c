/** The security watch's messages (src/views/watch.ts): leaks and changes made outside Keyhouse. */
export const watch = {
  done:
    '{outcome, select, disabled {Keyhouse disabled the key} deleted {Keyhouse deleted the key} ' +
    'reported {The key still works: the policy only reports leaks} already_disabled {Keyhouse had already ' +
    'disabled the key when its secret was first seen} already_gone {The key no longer exists in ClickHouse} ' +
    'other {Keyhouse could not disable the key yet; it keeps trying, and an admin may disable it now}}',
  doneCounted:
    '{count} {outcome, select, disabled {disabled} deleted {deleted} reported {still working (the policy only ' +
    'reports leaks)} already_disabled {already disabled for an earlier leak} already_gone {already gone} ' +
    'other {not disabled yet: Keyhouse keeps trying}}',
  owner: '(owner {user})',
  moreKeys: '• and {count, plural, one {# more key} other {# more keys}}: {outcomes}',
  containsOurs:
    '⚠️ This message contains {count, plural, one {the secret of a ClickHouse API key} other {the secrets of # ' +
    'ClickHouse API keys}} that Keyhouse issued:',
  containsUnknown:
    '{also, select, yes {It also contains} other {⚠️ This message contains}} {count, plural, one {what looks ' +
    'like a ClickHouse Cloud API key secret that Keyhouse did not issue: disable or rotate that key} other {# ' +
    'strings that look like ClickHouse Cloud API key secrets that Keyhouse did not issue: disable or rotate ' +
    'those keys}} in the ClickHouse Cloud console.',
  deleteIt:
    'Please delete this message: anyone who can read it can use {total, plural, one {the key} other {these keys}}.',
  ownerOne:
    '🚨 The secret of your ClickHouse API key {key} was pasted{by, select, yes { by {user}} bot { by the integration “{bot}”} other {}} ' +
    'in {where}. {done}. Rotate it to get a new secret, and update whatever used the old one.',
  ownerMany:
    '🚨 The secrets of {count} of your ClickHouse API keys were pasted{by, select, yes { by {user}} bot { by the integration ' +
    '“{bot}”} other {}} in {where}. Rotate each to get a new secret, and update whatever used the old one.',
  ownerMore:
    'And {count, plural, one {# more key} other {# more keys}}: {outcomes}. Rotate them from your key list.',
  rotate: 'Rotate',
  security:
    '🚨 Leak: {by, select, yes {{user}} bot {the integration “{bot}”} other {someone}} pasted {total, plural, one {a ClickHouse secret} other ' +
    '{# ClickHouse secrets}} in {where}.',
  securityUnknown:
    '• {count, plural, one {One not issued by Keyhouse: find its key in the ClickHouse Cloud console and ' +
    'disable it.} other {# not issued by Keyhouse: find their keys in the ClickHouse Cloud console and disable ' +
    'them.}}',
  driftWhat:
    '{what, select, created {created} deleted {deleted} name_changed {renamed} role_changed {changed the role ' +
    'of} state_changed {enabled or disabled} date_changed {changed the expiry of} ip_access_list_changed ' +
    '{changed the IP access list of} org_role_changed {changed the organization role of} ' +
    'default_service_role_changed {changed the default service role of} service_role_changed {changed a ' +
    'service role of} roles_v2_changed {changed the roles of} other {changed ({type})}}',
  unknown: 'unknown',
  keyById: 'key `{id}`',
  someKey: 'a key',
  driftSecurity:
    '🔎 Outside Keyhouse: {who} {what} {key}, {owner, select, yes {a Keyhouse key of {user}} other {not a ' +
    'Keyhouse key}}.{disabled, select, disabled { Keyhouse disabled it (the policy disables keys made outside ' +
    'Keyhouse).} failed { Keyhouse could not disable it; an admin must.} other {}}',
  driftOwner:
    '🔎 Your ClickHouse API key {key} was {recreated, select, yes {recreated} other {changed}} outside ' +
    'Keyhouse: {who} {what} it. If you did not expect this, tell your Keyhouse admins.',
} as const;
