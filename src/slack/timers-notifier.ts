/**
 * The lifecycle's ports on Slack: DMs to key owners, thread replies under approval messages,
 * the security channel's report and the audit chain's daily head, and `users.info` for who was
 * deactivated.
 */
import type { WebClient } from '@slack/web-api';
import type { KeyRequest } from '../core/model.js';
import type { SlackRef } from '../core/ports.js';
import type {
  AuditHeadNotice,
  Directory,
  ExpiredDeletion,
  ExpiredNotice,
  ExpiryWarning,
  LifecycleNotifier,
  Nudge,
  OffboardingReport,
  Reactivation,
  StaleOffer,
} from '../core/timer-ports.js';
import { auditHeadMessage } from '../views/audit-head.js';
import {
  cancelledNote,
  expiredKeyDeletedMessage,
  expiryWarningMessage,
  keyExpiredMessage,
  nudgeNote,
  offboardingReportMessage,
  reactivationMessage,
  staleKeyMessage,
} from '../views/timed-messages.js';
import { englishWords, type NotifierWords } from './words.js';

/** Owners' DMs in their own words; threads and the security channel in the policy's. */
export class SlackLifecycleNotifier implements LifecycleNotifier {
  constructor(
    private readonly client: WebClient,
    private readonly words: NotifierWords = englishWords(),
  ) {}

  async expiryWarning(warning: ExpiryWarning): Promise<void> {
    const m = await this.words.of(warning.ownerId);
    await this.client.chat.postMessage({ channel: warning.ownerId, ...expiryWarningMessage(m, warning) });
  }

  async keyExpired(notice: ExpiredNotice): Promise<void> {
    const m = await this.words.of(notice.ownerId);
    await this.client.chat.postMessage({ channel: notice.ownerId, ...keyExpiredMessage(m, notice) });
  }

  async expiredKeyDeleted(notice: ExpiredDeletion): Promise<void> {
    const m = await this.words.of(notice.ownerId);
    await this.client.chat.postMessage({ channel: notice.ownerId, ...expiredKeyDeletedMessage(m, notice) });
  }

  async staleOffer(offer: StaleOffer): Promise<void> {
    const m = await this.words.of(offer.ownerId);
    await this.client.chat.postMessage({ channel: offer.ownerId, ...staleKeyMessage(m, offer) });
  }

  async nudge(ref: SlackRef, nudge: Nudge): Promise<void> {
    const m = this.words.channel();
    await this.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, ...nudgeNote(m, nudge) });
  }

  async requestCancelled(ref: SlackRef, request: KeyRequest, userId: string): Promise<void> {
    await this.client.chat.postMessage({
      channel: ref.channel,
      thread_ts: ref.ts,
      ...cancelledNote(this.words.channel(), request, userId),
    });
  }

  async reactivated(channel: string, notice: Reactivation): Promise<void> {
    await this.client.chat.postMessage({ channel, ...reactivationMessage(this.words.channel(), notice) });
  }

  async offboardingReport(channel: string, report: OffboardingReport): Promise<void> {
    await this.client.chat.postMessage({
      channel,
      ...offboardingReportMessage(this.words.channel(), report),
      unfurl_links: false,
      unfurl_media: false,
    });
  }

  async auditHead(channel: string, notice: AuditHeadNotice): Promise<void> {
    await this.client.chat.postMessage({ channel, ...auditHeadMessage(this.words.channel(), notice) });
  }
}

/** `users.info`: Slack's word on whether a user was deactivated. */
export class SlackDirectory implements Directory {
  constructor(private readonly client: WebClient) {}

  async isDeactivated(userId: string): Promise<boolean | null> {
    try {
      const answer = await this.client.users.info({ user: userId });
      return answer.user?.deleted === true;
    } catch {
      // Unknown user or Slack unavailable: no verdict, so nothing is done to their keys.
      return null;
    }
  }
}
