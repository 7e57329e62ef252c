/** The key list (`/chkey list`), its key sections (shared with App Home and the review), and days. */
export const keys = {
  titleMine: 'Your ClickHouse keys',
  titleAll: 'All ClickHouse keys',
  summary: '{title} ({total})',
  summaryPaged: '{title} ({total}) — page {page} of {pages}',
  count: '{total, plural, one {# key} other {# keys}}',
  pageLine: 'Page {page} of {pages} · {total, plural, one {# key} other {# keys}}',
  emptyPage: 'No keys on this page any more.',
  emptyMine: 'You have no keys. Request one with `{command}`.',
  emptyAll: 'There are no API keys in this organization.',
  previous: 'Previous',
  next: 'Next',

  enabled: 'enabled',
  disabled: '⏸️ *disabled*',
  leaked: '🚨 *leaked* · {state, select, enabled {enabled} other {disabled}}',
  selfKey: "🔒 *Keyhouse's own key* (manage it in the ClickHouse console)",
  unnamed: '_unnamed_',
  owner: 'owner {user}',
  outside: 'created outside Keyhouse',
  expired: '⚠️ *expired*',
  expiredAt: '⚠️ *expired* {when}',
  expires: 'expires {when}',
  neverExpires: 'never expires',
  neverUsed: 'never used',
  lastUsed: 'last used {when}',
  lastUsedUnknown: 'last used at an unknown time',
  unknownTime: 'an unknown time',
  retired: '🔁 *retired* by rotation · successor {successor}',
  retiring: '🔁 *retiring* {when} · successor {successor}',
  successorUnknown: 'unknown',

  menuDisable: 'Disable',
  menuEnable: 'Enable',
  menuEdit: 'Edit',
  menuRotate: 'Rotate',
  menuDelete: 'Delete',
  menuLift: 'Lift leak mark',
  menuReassign: 'Reassign',

  /** Calendar days in the reader's zone, from today. */
  inDays: '{days, plural, =0 {today} =1 {tomorrow} other {in # days}}',
  daysAgo: '{days, plural, =1 {yesterday} other {# days ago}}',

  /** A policy duration: whole days, else whole hours, else minutes. */
  duration:
    '{unit, select, day {{n, plural, one {# day} other {# days}}} hour {{n, plural, one {# hour} other {# hours}}} ' +
    'other {{n, plural, one {# minute} other {# minutes}}}}',
  durationNever: 'never',
} as const;
