/**
 * Dates, days, durations and list words (product.md §14), shared by every view through
 * src/views/format.ts. A date itself is a Slack date token, which Slack writes in the reader's
 * own language and zone; what is written here is the words around it and the days counted in
 * the reader's calendar.
 */
export const format = {
  /** Whole days from the reader's today to a day ahead. */
  daysAhead: '{days, plural, =0 {today} =1 {tomorrow} other {in # days}}',
  /** Whole days from a day behind to the reader's today. */
  daysAgo: '{days, plural, =0 {today} =1 {yesterday} other {# days ago}}',
  minutes: '{count, plural, one {# minute} other {# minutes}}',
  hours: '{count, plural, one {# hour} other {# hours}}',
  days: '{count, plural, one {# day} other {# days}}',
  never: 'never',
  neverExpires: 'never expires',
  expires: 'expires {when}',
  expired: 'expired {when}',
  unknownTime: 'an unknown time',
  /** A requested expiry, counted from the key's creation (product.md §1). */
  fromCreation: '{duration} from creation (until about {until} if created now)',
  /** A date written out for plain_text, where no Slack token works: in the reader's zone, named. */
  plainDate: '{date} ({zone})',
  noneListed: '(none)',
  moreListed: '… and {count, number} more',
} as const;
