/**
 * The workflow's `DeliveryNotifier` on Slack (product.md §12): where a key went, or why it did not,
 * by direct message in the person's own words; a scheduled rotation that could not write its
 * successor, to the security channel in the policy's language. Never a secret: only places and names.
 */
import type { WebClient } from '@slack/web-api';
import type { DeliveryNotice, DeliveryNotifier, RotationFailure } from '../core/delivery-ports.js';
import type { Locale, Readers } from '../core/locale.js';
import type { Catalog } from '../i18n/index.js';
import { deliveryMessage, rotationFailedMessage } from '../views/delivery.js';

export interface SlackDeliveryNotifierOptions {
  client: WebClient;
  catalog: Catalog;
  readers: Readers;
  /** The security channel, and the policy's language for channel posts. */
  securityChannel: string;
  locale: Locale;
}

export class SlackDeliveryNotifier implements DeliveryNotifier {
  readonly #options: SlackDeliveryNotifierOptions;

  constructor(options: SlackDeliveryNotifierOptions) {
    this.#options = options;
  }

  async tell(userId: string, notice: DeliveryNotice): Promise<void> {
    const { client, catalog, readers } = this.#options;
    const m = catalog.messages(await readers.of(userId));
    await client.chat.postMessage({ channel: userId, ...deliveryMessage(m, notice) });
  }

  async rotationFailed(failure: RotationFailure): Promise<void> {
    const { client, catalog, securityChannel, locale } = this.#options;
    const m = catalog.messages({ locale, timeZone: 'UTC' });
    await client.chat.postMessage({ channel: securityChannel, ...rotationFailedMessage(m, failure) });
  }
}
