/**
 * Whose words and whose clock (product.md §14): Keyhouse speaks English and Korean, and writes
 * each person's surfaces in their own Slack locale and time zone; channel posts, read by many,
 * in the policy's `locale` and UTC.
 */

export const LOCALES = ['en', 'ko'] as const;
export type Locale = (typeof LOCALES)[number];

export const DEFAULT_LOCALE: Locale = 'en';

/** Who reads a message: the language it is written in and the time zone its days are counted in. */
export interface Reader {
  readonly locale: Locale;
  /** An IANA zone (`Asia/Seoul`); `UTC` when nobody's in particular. */
  readonly timeZone: string;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * The catalog for a Slack locale (`ko-KR` → `ko`, `en-US` → `en`). A language Keyhouse has no
 * catalog for reads English, the language most of a workspace shares; null for no locale at all,
 * so the caller picks its own default.
 */
export function localeOf(slackLocale: string | null | undefined): Locale | null {
  if (typeof slackLocale !== 'string' || slackLocale.trim() === '') return null;
  const language = slackLocale.trim().toLowerCase().split(/[-_]/)[0];
  return isLocale(language) ? language : DEFAULT_LOCALE;
}

/** `tz` as Slack gives it, if this runtime knows the zone; else `UTC` (fallback text is UTC anyway). */
export function timeZoneOf(tz: string | null | undefined): string {
  if (typeof tz !== 'string' || tz === '') return 'UTC';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
}

/** A person as Slack describes them (`users.info`, a `user_change` event): what says how they read. */
export interface SlackPerson {
  id: string;
  locale?: string | null;
  tz?: string | null;
}

/**
 * Each person's language and time zone. Only the Slack side asks Slack; the views are handed the
 * answer. Looked up once and kept; a `user_change` event refreshes it.
 */
export interface Readers {
  /**
   * The person's reader. Inside a no-wait zone (before an acknowledgement) a person not looked
   * up yet throws `WouldWait`, once their look-up has started, like an uncached user group.
   */
  of(userId: string): Promise<Reader>;
  /** What is at hand now, else the default (and a look-up starts for next time): for acknowledgements. */
  now(userId: string): Reader;
  /** The person's reader when they were looked up already, else null (nothing is started). Optional. */
  known?(userId: string): Reader | null;
  /** Slack described the person (a `user_change` event carries the user object). */
  heard(person: SlackPerson): void;
}
