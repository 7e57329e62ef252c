/** The security watch's notifier on Slack: renders with src/views/watch.ts and posts. */
import type { WebClient } from '@slack/web-api';
import type { DriftNotice, LeakReport, OwnerLeak, WatchNotifier } from '../core/watch-ports.js';
import {
  driftOwnerMessage,
  driftSecurityNotice,
  leakOwnerMessage,
  leakSecurityNotice,
  leakThreadReply,
} from '../views/watch.js';
import { englishWords, type NotifierWords } from './words.js';

/** Owners' DMs in their own words; the leaking channel's thread and the security channel in the policy's. */
export class SlackWatchNotifier implements WatchNotifier {
  readonly #client: WebClient;
  readonly #words: NotifierWords;

  constructor(client: WebClient, words: NotifierWords = englishWords()) {
    this.#client = client;
    this.#words = words;
  }

  async leakThread(report: LeakReport): Promise<void> {
    const { channel, ts, threadTs } = report.site;
    // In a thread already: reply in that thread (Slack has no threads of threads).
    await this.#client.chat.postMessage({
      channel,
      thread_ts: threadTs ?? ts,
      ...leakThreadReply(this.#words.channel(), report),
    });
  }

  async leakOwner(leak: OwnerLeak): Promise<void> {
    const m = await this.#words.of(leak.ownerId);
    await this.#client.chat.postMessage({ channel: leak.ownerId, ...leakOwnerMessage(m, leak) });
  }

  async leakSecurity(channel: string, report: LeakReport): Promise<void> {
    await this.#client.chat.postMessage({ channel, ...leakSecurityNotice(this.#words.channel(), report) });
  }

  async driftSecurity(channel: string, notice: DriftNotice): Promise<void> {
    await this.#client.chat.postMessage({ channel, ...driftSecurityNotice(this.#words.channel(), notice) });
  }

  async driftOwner(notice: DriftNotice & { ownerId: string }): Promise<void> {
    const m = await this.#words.of(notice.ownerId);
    await this.#client.chat.postMessage({ channel: notice.ownerId, ...driftOwnerMessage(m, notice) });
  }
}
