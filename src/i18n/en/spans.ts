/**
 * Relative spans, a rotation's bounded expiry and a key's one-line summary, as the dialogs and the
 * request's messages (approval, Create key, secret) say them (src/views/phrases.ts puts them
 * together); durations, dates and IP lists are the `format` area's.
 */
export const spans = {
  /** An expiry option, or a duration that has no end. */
  never: 'Never',
  noLimit: 'no limit',
  inSpan: 'in {span}',
  spanAgo: '{span} ago',
  untilLikeOld: 'until {until}, as the key it replaces',
  neverLikeOld: 'never expires, as the key it replaces',
  noLaterThan: '{line}, and no later than {until}',
  keyRole: 'role {role}',
  keyExpires: 'expires {date}',
  keyExpired: '⚠️ *expired* {date}',
  keyExpiredNoDate: '⚠️ *expired*',
  keyOwner: 'owner {owner}',
  keyOutside: 'created outside Keyhouse',
  keyState: '{state, select, enabled {enabled} other {disabled}}',
} as const;
