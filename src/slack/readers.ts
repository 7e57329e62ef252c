/**
 * Each person's language and time zone, from Slack (`users.info` with `include_locale`), so their
 * DMs, ephemeral messages, modals and App Home are in their words and their days (product.md §14).
 *
 * A person is looked up once and kept; a `user_change` event (which carries the user object)
 * refreshes them at once, and an entry older than `ttlMs` is still used while it is refreshed in
 * the background, so only someone Keyhouse has never seen waits for Slack. A look-up that fails
 * reads as the default (the policy's language, UTC) for a minute, then is tried again.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { localeOf, type Reader, type Readers, type SlackPerson, timeZoneOf } from '../core/locale.js';
import { inBackground, mayWait, WouldWait } from '../util/no-wait.js';

export interface SlackReadersOptions {
  client: WebClient;
  clock: Clock;
  /** For a person whose locale Slack does not give (or could not be asked): the policy's language. */
  fallback: Reader;
  logger: Logger;
  /** How long an answer is taken as current before it is refreshed; default an hour. */
  ttlMs?: number;
  /** How many people are kept; the longest unseen go first. Default 20,000. */
  maxPeople?: number;
}

interface Entry {
  reader: Reader;
  /** When it should be asked again (sooner for a failed look-up). */
  refreshAt: number;
}

const FAILED_RETRY_MS = 60_000;

export class SlackReaders implements Readers {
  readonly #client: WebClient;
  readonly #clock: Clock;
  readonly #fallback: Reader;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  readonly #maxPeople: number;
  readonly #people = new Map<string, Entry>();
  readonly #asking = new Map<string, Promise<Reader>>();

  constructor(options: SlackReadersOptions) {
    this.#client = options.client;
    this.#clock = options.clock;
    this.#fallback = options.fallback;
    this.#logger = options.logger;
    this.#ttlMs = options.ttlMs ?? 3_600_000;
    this.#maxPeople = options.maxPeople ?? 20_000;
  }

  async of(userId: string): Promise<Reader> {
    const known = this.#known(userId);
    if (known) return known;
    if (!mayWait()) {
      inBackground(() => void this.#ask(userId));
      throw new WouldWait(`Slack users.info (${userId})`);
    }
    return this.#ask(userId);
  }

  now(userId: string): Reader {
    const known = this.#known(userId);
    if (known) return known;
    inBackground(() => void this.#ask(userId));
    return this.#fallback;
  }

  known(userId: string): Reader | null {
    return this.#known(userId);
  }

  heard(person: SlackPerson): void {
    // An event without a locale says nothing about the language: ask Slack for it next time.
    if (typeof person.locale !== 'string') {
      this.#people.delete(person.id);
      return;
    }
    this.#keep(person.id, this.#readerOf(person), this.#ttlMs);
  }

  /** The person's reader when one is kept; a stale one is refreshed in the background meanwhile. */
  #known(userId: string): Reader | null {
    const entry = this.#people.get(userId);
    if (!entry) return null;
    if (this.#clock.now().getTime() >= entry.refreshAt) inBackground(() => void this.#ask(userId));
    return entry.reader;
  }

  /** One `users.info` per person at a time; never rejects. */
  #ask(userId: string): Promise<Reader> {
    const asking = this.#asking.get(userId);
    if (asking) return asking;
    const answer = this.#client.users
      .info({ user: userId, include_locale: true })
      .then(
        (result) => {
          const user = result.user as SlackPerson | undefined;
          const reader = user ? this.#readerOf({ ...user, id: userId }) : this.#fallback;
          this.#keep(userId, reader, this.#ttlMs);
          return reader;
        },
        (error: unknown) => {
          this.#logger.warn({ err: error, user: userId }, 'could not look up a person’s locale');
          // What was known stays (or the default), and is asked again in a minute.
          const reader = this.#people.get(userId)?.reader ?? this.#fallback;
          this.#keep(userId, reader, FAILED_RETRY_MS);
          return reader;
        },
      )
      .finally(() => this.#asking.delete(userId));
    this.#asking.set(userId, answer);
    return answer;
  }

  #readerOf(person: SlackPerson): Reader {
    return {
      locale: localeOf(person.locale) ?? this.#fallback.locale,
      timeZone: typeof person.tz === 'string' ? timeZoneOf(person.tz) : this.#fallback.timeZone,
    };
  }

  #keep(userId: string, reader: Reader, forMs: number): void {
    // Re-inserted, so the map's order is least recently looked up first.
    this.#people.delete(userId);
    this.#people.set(userId, { reader, refreshAt: this.#clock.now().getTime() + forMs });
    if (this.#people.size > this.#maxPeople) {
      const oldest = this.#people.keys().next();
      if (!oldest.done) this.#people.delete(oldest.value);
    }
  }
}
