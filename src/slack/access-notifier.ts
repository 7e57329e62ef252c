/**
 * On call and break glass on Slack (product.md §15): channel posts, in the policy's language
 * (each reader's client shows the dates in their own time zone).
 */
import type { WebClient } from '@slack/web-api';
import type { AccessNotifier, BreakGlassReview } from '../core/access.js';
import { KeyhouseError } from '../core/errors.js';
import type { KeyRequest } from '../core/model.js';
import type { PolicyRole } from '../core/policy-model.js';
import type { SlackRef } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import {
  breakGlassMessage,
  breakGlassSecurityNotice,
  onCallNote,
  overdueSecurityNotice,
  reviewNudgeNote,
} from '../views/access.js';

export class SlackAccessNotifier implements AccessNotifier {
  readonly #client: WebClient;
  readonly #m: Messages;

  /** `m`: the channels' words (the policy's locale). */
  constructor(client: WebClient, m: Messages) {
    this.#client = client;
    this.#m = m;
  }

  async onCall(
    approval: SlackRef,
    notice: { request: KeyRequest; role: PolicyRole; group: string; now: Date },
  ): Promise<void> {
    await this.#client.chat.postMessage({
      channel: approval.channel,
      thread_ts: approval.ts,
      ...onCallNote(this.#m, notice),
    });
  }

  async breakGlass(
    approvalChannel: string,
    securityChannel: string,
    review: BreakGlassReview,
  ): Promise<SlackRef> {
    const posted = await this.#client.chat.postMessage({
      channel: approvalChannel,
      ...breakGlassMessage(this.#m, review),
    });
    if (!posted.channel || !posted.ts) {
      throw new KeyhouseError('internal', "Slack's chat.postMessage answer had no channel or ts.");
    }
    await this.#client.chat.postMessage({
      channel: securityChannel,
      ...breakGlassSecurityNotice(this.#m, review, approvalChannel),
    });
    return { channel: posted.channel, ts: posted.ts };
  }

  async updateReview(review: BreakGlassReview): Promise<void> {
    if (!review.ref) return;
    await this.#client.chat.update({ ...review.ref, ...breakGlassMessage(this.#m, review) });
  }

  async reviewNudge(
    kind: 'remind' | 'escalate',
    review: BreakGlassReview,
    mention: readonly string[],
    securityChannel: string | null,
  ): Promise<void> {
    if (review.ref) {
      await this.#client.chat.postMessage({
        channel: review.ref.channel,
        thread_ts: review.ref.ts,
        ...reviewNudgeNote(this.#m, kind, review, mention),
      });
    }
    if (securityChannel) {
      await this.#client.chat.postMessage({
        channel: securityChannel,
        ...overdueSecurityNotice(this.#m, review),
      });
    }
  }
}
