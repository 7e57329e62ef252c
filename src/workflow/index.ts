import type { KeyRequest } from '../store/types.js';
import { claimKey } from './claim.js';
import { WorkflowContext, type WorkflowDeps } from './context.js';
import { type ApproveOutcome, approveRequest, checkCanDecide, denyRequest } from './decide.js';
import { expireDue } from './lapse.js';
import type { ClickTarget } from './ports.js';
import { settleStale } from './settle.js';
import { announceRequest, type RequestDraft, type SubmitResult, submitRequest } from './submit.js';

export type { WorkflowDeps } from './context.js';
export type { ApproveOutcome } from './decide.js';
export type * from './ports.js';
export type { DraftField, RequestDraft, SubmitResult } from './submit.js';

/**
 * The product's rules (product.md §2–4) as one Slack-agnostic object: handlers translate Slack
 * payloads into these calls, and what must be said in Slack goes out through the `Notifier`.
 */
export class Workflow {
  readonly #ctx: WorkflowContext;

  constructor(deps: WorkflowDeps) {
    this.#ctx = new WorkflowContext(deps);
  }

  /** Validates and records a request from the modal; nothing is stored when it is invalid. */
  submit(userId: string, draft: RequestDraft): Promise<SubmitResult> {
    return submitRequest(this.#ctx, userId, draft);
  }

  getRequest(requestId: string): Promise<KeyRequest | null> {
    return this.#ctx.store.getRequest(requestId);
  }

  /** Posts a recorded request to the approval channel (and the Create key DM when auto-approved). */
  async announce(requestId: string): Promise<void> {
    const request = await this.#ctx.store.getRequest(requestId);
    if (request) await announceRequest(this.#ctx, request);
  }

  approve(requestId: string, userId: string): Promise<ApproveOutcome> {
    return approveRequest(this.#ctx, requestId, userId);
  }

  /** Throws the reason when this user may not decide the request now (before the deny dialog). */
  checkCanDecide(requestId: string, userId: string): Promise<void> {
    return checkCanDecide(this.#ctx, requestId, userId);
  }

  deny(requestId: string, userId: string, reason: string | null): Promise<void> {
    return denyRequest(this.#ctx, requestId, userId, reason);
  }

  /** The requester's Create key click: create the key now and answer the click with its secret. */
  claim(requestId: string, target: ClickTarget): Promise<void> {
    return claimKey(this.#ctx, requestId, target);
  }

  /** Timer work: lapse overdue requests and settle attempts interrupted for `staleAfterMs`. */
  async sweep(staleAfterMs: number): Promise<{ expired: number; settled: number }> {
    const expired = await expireDue(this.#ctx);
    const settled = await settleStale(this.#ctx, staleAfterMs);
    return { expired, settled };
  }
}
