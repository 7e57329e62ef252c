/**
 * The workflow's `Notifier` on Slack: renders with the views and sends with the Web API, or,
 * for the secret, through the click's `response_url`. It decides nothing: a Slack failure from
 * the ordinary methods propagates as the WebClient threw it, and the workflow chooses what to do.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { KeyhouseError } from '../core/errors.js';
import type {
  ApprovalCard,
  ClaimCard,
  ClickTarget,
  Notifier,
  RequesterNotice,
  SecretReveal,
  SlackRef,
  ThreadNote,
} from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { approvalMessage } from '../views/approval-message.js';
import { claimMessage } from '../views/claim-message.js';
import { requesterNotice, threadNote } from '../views/notices.js';
import { secretMessage } from '../views/secret-message.js';
import { englishWords, type NotifierWords } from './words.js';

export interface SlackNotifierOptions {
  client: WebClient;
  /** Channel id where approval messages are posted unless the request's role names its own. */
  approvalChannel: string;
  /** Transport for `response_url` posts; default the global fetch. */
  fetch?: typeof fetch;
  logger: Logger;
  /** How long a `response_url` post may take before the fallback is tried; default 5000 ms. */
  responseTimeoutMs?: number;
  /** The slash command, named in messages that say how to request again; default `/chkey`. */
  command?: string;
  /** Whose words: the requester's for their DMs, the policy's for the approval channel. Default English. */
  words?: NotifierWords;
}

/** What one delivery path answered, in words safe to log: an HTTP status or a Slack error code. */
type Attempt = { ok: true; status: number | string } | { ok: false; status: number | string };

const DELIVERY_FAILED = 'Slack did not accept the message holding the secret.';

export class SlackNotifier implements Notifier {
  readonly #client: WebClient;
  readonly #approvalChannel: string;
  readonly #fetch: typeof fetch;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #command: string;
  readonly #words: NotifierWords;

  constructor(options: SlackNotifierOptions) {
    this.#client = options.client;
    this.#approvalChannel = options.approvalChannel;
    // Bound late, so a test that swaps the global fetch after construction is still honoured.
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#logger = options.logger;
    this.#timeoutMs = options.responseTimeoutMs ?? 5000;
    this.#command = options.command ?? '/chkey';
    this.#words = options.words ?? englishWords();
  }

  /** A person's own words, for their DMs and ephemerals (NotifierWords falls back to what is at hand). */
  async #wordsOf(userId: string): Promise<Messages> {
    return this.#words.of(userId);
  }

  async postApproval(card: ApprovalCard): Promise<SlackRef> {
    const result = await this.#client.chat.postMessage({
      // A role may name its own approval channel (product.md §5); updates follow the stored ref.
      channel: card.role.approvalChannel ?? this.#approvalChannel,
      ...approvalMessage(this.#words.channel(), card),
      unfurl_links: false,
      unfurl_media: false,
    });
    return refOf(result, 'chat.postMessage');
  }

  async updateApproval(ref: SlackRef, card: ApprovalCard): Promise<void> {
    await this.#client.chat.update({
      channel: ref.channel,
      ts: ref.ts,
      ...approvalMessage(this.#words.channel(), card),
    });
  }

  async replyInThread(ref: SlackRef, note: ThreadNote): Promise<void> {
    await this.#client.chat.postMessage({
      channel: ref.channel,
      thread_ts: ref.ts,
      ...threadNote(this.#words.channel(), note),
    });
  }

  /** Posting to a user id opens the app's DM with them; the answer names the DM channel, kept for updates. */
  async sendClaim(card: ClaimCard): Promise<SlackRef> {
    const result = await this.#client.chat.postMessage({
      channel: card.request.requesterId,
      ...claimMessage(await this.#wordsOf(card.request.requesterId), card, { command: this.#command }),
    });
    return refOf(result, 'chat.postMessage');
  }

  async updateClaim(ref: SlackRef, card: ClaimCard): Promise<void> {
    await this.#client.chat.update({
      channel: ref.channel,
      ts: ref.ts,
      ...claimMessage(await this.#wordsOf(card.request.requesterId), card, { command: this.#command }),
    });
  }

  async tellRequester(userId: string, notice: RequesterNotice): Promise<void> {
    const m = await this.#words.of(userId);
    await this.#client.chat.postMessage({
      channel: userId,
      ...requesterNotice(m, notice, { command: this.#command }),
    });
  }

  /**
   * One ephemeral message with the secret: through the click's `response_url`, else as an
   * ephemeral post in the DM the click came from. Nothing thrown or logged here carries the body:
   * the error names only the paths tried and their status codes.
   */
  async revealSecret(target: ClickTarget, reveal: SecretReveal): Promise<void> {
    const body = secretMessage(await this.#wordsOf(target.userId), reveal);
    const tried: string[] = [];

    if (target.responseUrl) {
      const attempt = await this.#postToResponseUrl(target.responseUrl, body);
      this.#logAttempt('response_url', attempt);
      if (attempt.ok) return;
      tried.push(`response_url ${attempt.status}`);
    }

    if (target.channelId) {
      const attempt = await this.#postEphemeral(target.channelId, target.userId, body);
      this.#logAttempt('postEphemeral', attempt);
      if (attempt.ok) return;
      tried.push(`postEphemeral ${attempt.status}`);
    }

    throw new KeyhouseError('delivery_failed', DELIVERY_FAILED, {
      // Built from status codes only, never from an upstream error that could echo what was sent.
      cause: new Error(tried.length > 0 ? `tried ${tried.join('; ')}` : 'no ephemeral path to the requester'),
    });
  }

  async #postToResponseUrl(url: string, body: unknown): Promise<Attempt> {
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      return { ok: false, status: isTimeout(error) ? 'timeout' : 'network_error' };
    }
    let answer = '';
    try {
      answer = await response.text();
    } catch {
      // The status already says whether Slack took it; an unreadable answer body changes nothing.
    }
    if (!response.ok) return { ok: false, status: response.status };
    // Slack answers `{"ok":true}`; an `ok:false` under a 2xx is a refusal all the same.
    return rejectedJson(answer)
      ? { ok: false, status: response.status }
      : { ok: true, status: response.status };
  }

  async #postEphemeral(
    channel: string,
    user: string,
    body: ReturnType<typeof secretMessage>,
  ): Promise<Attempt> {
    try {
      await this.#client.chat.postEphemeral({ channel, user, text: body.text, blocks: body.blocks });
      return { ok: true, status: 200 };
    } catch (error) {
      return { ok: false, status: slackErrorCode(error) };
    }
  }

  #logAttempt(path: 'response_url' | 'postEphemeral', attempt: Attempt): void {
    if (attempt.ok) this.#logger.info({ path, status: attempt.status }, 'secret message delivered');
    else this.#logger.warn({ path, status: attempt.status }, 'secret message not delivered');
  }
}

function refOf(result: { channel?: string; ts?: string }, method: string): SlackRef {
  if (!result.channel || !result.ts) {
    throw new KeyhouseError('internal', `Slack's ${method} answer had no channel or ts.`);
  }
  return { channel: result.channel, ts: result.ts };
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function rejectedJson(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && (parsed as { ok?: unknown }).ok === false;
  } catch {
    return false;
  }
}

/**
 * A loggable code for a Web API failure: Slack's error code (`channel_not_found`), an HTTP status,
 * or the error's class. Only values of a known, harmless shape are passed through.
 */
function slackErrorCode(error: unknown): string | number {
  if (typeof error !== 'object' || error === null) return 'unknown_error';
  const e = error as { data?: { error?: unknown }; statusCode?: unknown; code?: unknown };
  if (typeof e.data?.error === 'string' && /^[a-z0-9_]{1,64}$/.test(e.data.error)) return e.data.error;
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.code === 'string' && /^[a-z0-9_]{1,64}$/i.test(e.code)) return e.code;
  return 'unknown_error';
}
