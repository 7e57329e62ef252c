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

export class SlackWatchNotifier implements WatchNotifier {
  readonly #client: WebClient;

  constructor(client: WebClient) {
    this.#client = client;
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
