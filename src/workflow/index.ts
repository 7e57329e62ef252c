import type { BreakGlassReview, ReviewDecision } from '../core/access.js';
import { type AuditLine, type AuditQuery, readAudit } from '../core/audit-read.js';
import type { Service } from '../core/clickhouse.js';
import type { Place } from '../core/delivery-ports.js';
import { Refused } from '../core/errors.js';
import type { KeyRequest } from '../core/model.js';
import type { Done, Problems } from '../core/outcomes.js';
import type { ClickTarget, HomeData, KeyEntry, ListScope } from '../core/ports.js';
import { reviewBreakGlass } from './access.js';
import { claimKey } from './claim.js';
import { WorkflowContext, type WorkflowDeps } from './context.js';
import { type ApproveOutcome, approveRequest, checkCanDecide, denyRequest } from './decide.js';
import { retryDelivery, settleWritten } from './deliver.js';
import { type EditDraft, type EditField, type EditResult, editKey } from './edit.js';
import { checkEditDraft } from './edit-draft.js';
import { checkExtendDraft, type ExtendDraft, type ExtendField, extendForm, extendKey } from './extend.js';
import type { KeyAction } from './gate.js';
import { KeyLists } from './key-lists.js';
import { deleteKey, keyEntries, listedKeyEntries, setKeyState } from './keys.js';
import { expireDue } from './lapse.js';
import { liftLeak } from './leaks.js';
import { deliverNow, proceed } from './proceed.js';
import { reassignKey } from './reassign.js';
import { type ReviewEntry, reviewKeys } from './review.js';
import {
  checkRotateDraft,
  type RotateDraft,
  type RotateField,
  type RotateResult,
  rotateKey,
  rotationForm,
  rotationOverlaps,
} from './rotate.js';
import { currentServices, serviceOffer, unmatchedServicePatterns } from './service-roles.js';
import { deleteLostKeys, settleInterrupted } from './settle.js';
import { announceRequest, type RequestDraft, type SubmitResult, submitRequest } from './submit.js';

export type * from '../core/ports.js';
export { KEEP } from '../core/ports.js';
export type { ReplicaOptions, WorkflowDeps } from './context.js';
export type { ApproveOutcome } from './decide.js';
export type { EditDraft, EditField, EditResult } from './edit.js';
export type { ExtendDraft, ExtendField } from './extend.js';
export type { KeyAction, KeyFacts } from './gate.js';
export type { ReviewEntry, ReviewReason } from './review.js';
export type { RotateDraft, RotateField, RotateResult } from './rotate.js';
export type { DraftField, RequestDraft, SubmitResult } from './submit.js';

/**
 * The product's rules (product.md §2–4) as one Slack-agnostic object: handlers translate Slack
 * payloads into these calls, and what must be said in Slack goes out through the `Notifier`.
 */
export class Workflow {
  readonly #ctx: WorkflowContext;
  /** The lists viewers last saw, reused while nothing they were made from changed (key-lists.ts). */
  readonly #keyLists = new KeyLists();

  constructor(deps: WorkflowDeps) {
    this.#ctx = new WorkflowContext(deps);
  }

  /** The shared plumbing (store, ClickHouse, audit, notifier), for rule modules beside this one (src/lifecycle). */
  get context(): WorkflowContext {
    return this.#ctx;
  }

  /** The services the request modal offers for a role scoped to services (product.md §16). */
  async serviceOffer(roleId: string) {
    const role = this.#ctx.policy.role(roleId);
    return role ? serviceOffer(this.#ctx, role) : null;
  }

  /** The console's services now (cached), to show chosen ones renamed or deleted; null when unreadable. */
  currentServices(): Promise<Service[] | null> {
    return currentServices(this.#ctx);
  }

  /** The policy's service patterns that match no service now (a warning at start). */
  unmatchedServicePatterns(): Promise<{ roleId: string; patterns: string[] }[]> {
    return unmatchedServicePatterns(this.#ctx);
  }

  /** Validates and records a request from the modal; nothing is stored when it is invalid. */
  submit(userId: string, draft: RequestDraft): Promise<SubmitResult> {
    return submitRequest(this.#ctx, userId, draft);
  }

  /** Where a request's key is written (product.md §12); null when it is shown to its requester. */
  placeOf(request: KeyRequest): Place | null {
    return this.#ctx.placeOf(request);
  }

  getRequest(requestId: string): Promise<KeyRequest | null> {
    return this.#ctx.store.getRequest(requestId);
  }

  /** Posts a recorded request to the approval channel (and the Create key DM when auto-approved). */
  async announce(requestId: string): Promise<void> {
    const request = await this.#ctx.store.getRequest(requestId);
    if (request) await announceRequest(this.#ctx, request);
  }

  /** Keep or Revoke a break glass (product.md §15), once, by an approver who is not its requester. */
  reviewBreakGlass(userId: string, requestId: string, decision: ReviewDecision): Promise<BreakGlassReview> {
    return reviewBreakGlass(this.#ctx, userId, requestId, decision);
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
  async claim(requestId: string, target: ClickTarget): Promise<void> {
    // A request for a destination is clicked only as Try again, after a failed write (product.md §12).
    const request = await this.#ctx.store.getRequest(requestId);
    if (request?.destinationId && request.kind === 'create')
      return retryDelivery(this.#ctx, requestId, target);
    return claimKey(this.#ctx, requestId, target);
  }

  /**
   * The keys `viewerId` sees: their own (`mine`), or every key in the organization (`all`,
   * approvers and admins only), sorted by name. The same frozen array while nothing it was made
   * from changed: callers must not change it.
   */
  async listKeys(viewerId: string, scope: ListScope): Promise<KeyEntry[]> {
    if (scope === 'all' && !(await this.#ctx.policy.canListAll(viewerId))) {
      throw new Refused({ code: 'list_all_restricted' });
    }
    return listedKeyEntries(this.#ctx, this.#keyLists, viewerId, scope);
  }

  /**
   * `listKeys` answered synchronously from the list kept last time, when nothing it was made from
   * can have changed (key-lists.ts `atHand`); null whenever that cannot be told without waiting.
   */
  listAtHand(viewerId: string, scope: ListScope): KeyEntry[] | null {
    const { keys: api, store, policy, clock } = this.#ctx;
    const keys = api.keysAtHand?.() ?? null;
    const stamp = store.changeStamp?.() ?? null;
    if (keys === null || stamp === null) return null;
    if (scope === 'all' && policy.canListAllAtOnce(viewerId) !== true) return null;
    const isAdmin = policy.isAdminAtOnce(viewerId);
    if (isAdmin === null) return null;
    return this.#keyLists.atHand(viewerId, scope, { keys, stamp, isAdmin, policy: policy.doc }, clock.now());
  }

  /** Whether a check that `keyId` is really gone from ClickHouse is running (lists start them). */
  checkingVanished(keyId: string): boolean {
    return this.#ctx.vanishChecks.has(keyId);
  }

  now(): Date {
    return this.#ctx.clock.now();
  }

  /** The App Home: the user's keys and their requests still in progress. */
  async home(viewerId: string): Promise<HomeData> {
    const [keys, requests] = await Promise.all([
      keyEntries(this.#ctx, viewerId, 'mine'),
      this.#ctx.store.listRequests({ requesterId: viewerId, states: ['pending', 'approved', 'creating'] }),
    ]);
    return {
      viewerId,
      keys,
      requests: requests.map((request) => ({ request, roleLabel: this.#ctx.roleOf(request).label })),
      now: this.#ctx.clock.now(),
    };
  }

  /**
   * A key `viewerId` may act on as `action` (the gate's word), as a list shows it, and the policy
   * role it was made with.
   */
  async manageable(
    viewerId: string,
    keyId: string,
    action: KeyAction = 'view',
  ): Promise<{ entry: KeyEntry; currentRoleId: string | null }> {
    const { role } = await this.#ctx.gate.key(viewerId, keyId, action);
    return { entry: await this.#entry(viewerId, keyId), currentRoleId: role?.id ?? null };
  }

  setKeyState(viewerId: string, keyId: string, state: 'enabled' | 'disabled'): Promise<Done> {
    return setKeyState(this.#ctx, viewerId, keyId, state);
  }

  deleteKey(viewerId: string, keyId: string): Promise<Done> {
    return deleteKey(this.#ctx, viewerId, keyId);
  }

  /** What the Lift leak mark dialog shows, once the gate allowed `viewerId` (an admin) to lift it. */
  async liftLeakForm(viewerId: string, keyId: string): Promise<{ entry: KeyEntry }> {
    await this.#ctx.gate.liftLeak(viewerId, keyId);
    return { entry: await this.#entry(viewerId, keyId) };
  }

  /** An admin lifts a key's leak mark, saying why (audited); the key may then be enabled again. */
  liftLeak(viewerId: string, keyId: string, reason: string): Promise<Done> {
    return liftLeak(this.#ctx, viewerId, keyId, reason);
  }

  /** The edit's field problems that need neither the key nor the network (shown in the dialog at once). */
  checkEditDraft(viewerId: string, draft: EditDraft): Promise<Problems<EditField>> {
    return checkEditDraft(this.#ctx, viewerId, draft);
  }

  /** Renames or shortens at once; a longer expiry or another role becomes a change request. */
  editKey(viewerId: string, keyId: string, draft: EditDraft): Promise<EditResult> {
    return editKey(this.#ctx, viewerId, keyId, draft);
  }

  /**
   * What the Rotate dialog shows: the key, its role and the expiries it allows, the overlaps on
   * offer (the policy's default among them), and whether the rotation will need approval.
   */
  async rotationForm(viewerId: string, keyId: string) {
    const form = await rotationForm(this.#ctx, viewerId, keyId);
    const entry = await this.#entry(viewerId, keyId);
    const defaultOverlapMs = this.#ctx.policy.doc.lifecycle.rotationOverlapMs;
    return {
      entry,
      role: form.role,
      needsApproval: form.needsApproval,
      envelope: form.envelope,
      expiryChoices: this.#ctx.policy.expiryChoices(form.role.id),
      overlaps: rotationOverlaps(defaultOverlapMs),
      defaultOverlapMs,
    };
  }

  /** The rotation checks that need no network (for an answer inside the dialog). */
  checkRotate(roleId: string, draft: RotateDraft): Problems<RotateField> {
    return checkRotateDraft(this.#ctx, roleId, draft);
  }

  /** Records a rotation request; the handler then announces it like any request. */
  rotate(viewerId: string, keyId: string, draft: RotateDraft): Promise<RotateResult> {
    return rotateKey(this.#ctx, viewerId, keyId, draft);
  }

  /** What the Extend dialog shows: the key and the expiries of its role, counted from now. */
  async extendForm(viewerId: string, keyId: string) {
    const { role } = await extendForm(this.#ctx, viewerId, keyId);
    const entry = await this.#entry(viewerId, keyId);
    return { entry, role, expiryChoices: this.#ctx.policy.expiryChoices(role.id) };
  }

  checkExtend(roleId: string, draft: ExtendDraft): Problems<ExtendField> {
    return checkExtendDraft(this.#ctx, roleId, draft);
  }

  /** A longer expiry by way of Edit's change request; a shorter one applies at once. */
  extend(viewerId: string, keyId: string, draft: ExtendDraft): Promise<EditResult> {
    return extendKey(this.#ctx, viewerId, keyId, draft);
  }

  /** An admin gives the key another Keyhouse owner. */
  reassign(viewerId: string, keyId: string, newOwnerId: string): Promise<Done> {
    return reassignKey(this.#ctx, viewerId, keyId, newOwnerId);
  }

  /** `/chkey review` (admins): stale, ownerless and retiring keys. */
  review(viewerId: string): Promise<ReviewEntry[]> {
    return reviewKeys(this.#ctx, viewerId);
  }

  async #entry(viewerId: string, keyId: string): Promise<KeyEntry> {
    const entry = (await keyEntries(this.#ctx, viewerId)).find((e) => e.key.id === keyId);
    if (!entry) throw new Refused({ code: 'key_gone' });
    return entry;
  }

  /** The newest audit events matching `query`, for an admin (product.md §4). */
  async readAudit(viewerId: string, query: AuditQuery): Promise<AuditLine[]> {
    if (!(await this.#ctx.policy.isAdmin(viewerId))) {
      throw new Refused({ code: 'admins_only', what: 'audit' });
    }
    return readAudit(this.#ctx.store, query);
  }

  /** Timer work: settle interrupted key creation and delete lost keys, then lapse overdue requests. */
  async sweep(): Promise<{ expired: number; settled: number }> {
    // Audit events kept while the store was failing are written first, in their order.
    await this.#ctx.audit.flush();
    const { settled, reapply } = await settleInterrupted(this.#ctx, (request, settlerId) =>
      settleWritten(this.#ctx, request, settlerId),
    );
    for (const requestId of reapply) {
      const released = await this.#ctx.store.getRequest(requestId);
      if (released?.state !== 'approved') continue;
      const approvers = await this.#ctx.approvers(released);
      // A delivery a crash interrupted is made again now, past the mark its first attempt holds.
      const again =
        released.kind === 'create' && released.destinationId
          ? deliverNow(this.#ctx, released, approvers)
          : proceed(this.#ctx, released, approvers);
      await again.catch((error: unknown) =>
        this.#ctx.logger.warn({ err: error, requestId }, 'change not re-applied'),
      );
    }
    await deleteLostKeys(this.#ctx);
    const expired = await expireDue(this.#ctx);
    return { expired, settled };
  }
}
