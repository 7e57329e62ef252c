/** The security watch's notifier on Slack: renders with src/views/watch.ts and posts. */
import type { WebClient } from '@slack/web-api';
import type {
  DriftNotice,
  LeakReport,
  OutsideLeakReport,
  OutsideOwnerLeak,
  OwnerLeak,
  WatchNotifier,
} from '../core/watch-ports.js';
import type { Messages } from '../i18n/index.js';
import { outsideLeakOwnerMessage, outsideLeakSecurityNotice } from '../views/outside-leaks.js';
import {
  driftOwnerMessage,
  driftSecurityNotice,
  leakOwnerMessage,
  leakSecurityNotice,
  leakThreadReply,
} from '../views/watch.js';

/** Whose words a post is in: a channel's (the policy's language), or a person's own. */
export interface WatchWords {
  channel(): Messages;
  person(userId: string): Promise<Messages>;
}

export class SlackWatchNotifier implements WatchNotifier {
  readonly #client: WebClient;
  readonly #words: WatchWords;

  constructor(client: WebClient, words: WatchWords) {
    this.#client = client;
    this.#words = words;
  }

  async outsideLeakSecurity(channel: string, report: OutsideLeakReport): Promise<void> {
    await this.#client.chat.postMessage({
      channel,
      ...outsideLeakSecurityNotice(this.#words.channel(), report),
    });
  }

  async outsideLeakOwner(leak: OutsideOwnerLeak): Promise<void> {
    const m = await this.#words.person(leak.ownerId);
    await this.#client.chat.postMessage({ channel: leak.ownerId, ...outsideLeakOwnerMessage(m, leak) });
  }

  async leakThread(report: LeakReport): Promise<void> {
    const { channel, ts, threadTs } = report.site;
    // In a thread already: reply in that thread (Slack has no threads of threads).
    await this.#client.chat.postMessage({ channel, thread_ts: threadTs ?? ts, ...leakThreadReply(report) });
  }

  async leakOwner(leak: OwnerLeak): Promise<void> {
    await this.#client.chat.postMessage({ channel: leak.ownerId, ...leakOwnerMessage(leak) });
  }

  async leakSecurity(channel: string, report: LeakReport): Promise<void> {
    await this.#client.chat.postMessage({ channel, ...leakSecurityNotice(report) });
  }

  async driftSecurity(channel: string, notice: DriftNotice): Promise<void> {
    await this.#client.chat.postMessage({ channel, ...driftSecurityNotice(notice) });
  }

  async driftOwner(notice: DriftNotice & { ownerId: string }): Promise<void> {
    await this.#client.chat.postMessage({ channel: notice.ownerId, ...driftOwnerMessage(notice) });
  }
}
