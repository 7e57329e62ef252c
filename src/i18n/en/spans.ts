/**
 * Spans of time, expiries, IP lists and a key's one-line summary, as the dialogs and the request's
 * messages (approval, Create key, secret) say them (src/views/phrases.ts puts them together).
 */
export const spans = {
  duration:
    '{unit, select, day {{n, plural, one {# day} other {# days}}} hour {{n, plural, one {# hour} other {# hours}}} other {{n, plural, one {# minute} other {# minutes}}}}',
  /** An expiry option, or a duration that has no end. */
  never: 'Never',
  noLimit: 'no limit',
  inSpan: 'in {span}',
  spanAgo: '{span} ago',
  unknownTime: 'an unknown time',
  /** A requested expiry, counted from the key's creation (product.md §1). */
  fromCreation: '{span} from creation (until about {until} if created now)',
  neverExpires: 'never expires',
  untilLikeOld: 'until {until}, as the key it replaces',
  neverLikeOld: 'never expires, as the key it replaces',
  noLaterThan: '{line}, and no later than {until}',
  oldKeyEnd: 'the old key’s end',
  ipNone: '(none)',
  ipMore: '… and {count, number} more',
  keyRole: 'role {role}',
  keyExpires: 'expires {date}',
  keyExpired: '⚠️ *expired* {date}',
  keyExpiredNoDate: '⚠️ *expired*',
  keyOwner: 'owner {owner}',
  keyOutside: 'created outside Keyhouse',
  keyState: '{state, select, enabled {enabled} other {disabled}}',
} as const;
