/**
 * Whose words a notifier writes in (product.md §14): a person's own DMs in their Slack language
 * and time zone, channel posts (read by many) in the policy's language, in UTC.
 */
import type { Reader, Readers } from '../core/locale.js';
import { Catalog, type Messages } from '../i18n/index.js';

export interface NotifierWords {
  /** The person's words, for a message only they read (a DM). */
  of(userId: string): Promise<Messages>;
  /** A channel's words: the policy's `locale`. */
  channel(): Messages;
}

/** Words from each person's Slack locale, and the policy's for channels. */
export function notifierWords(catalog: Catalog, readers: Readers, channel: Reader): NotifierWords {
  const channelWords = catalog.messages(channel);
  return {
    async of(userId) {
      try {
        return catalog.messages(await readers.of(userId));
      } catch {
        // Slack could not say (or may not be waited on here): what is at hand, else the default.
        return catalog.messages(readers.now(userId));
      }
    },
    channel: () => channelWords,
  };
}

/** English for everyone: the default where no readers are given (tests of the notifiers alone). */
export function englishWords(): NotifierWords {
  const english = new Catalog().messages({ locale: 'en', timeZone: 'UTC' });
  return { of: async () => english, channel: () => english };
}
