import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AccessNotifier } from '../core/access.js';
import { Auditor } from '../core/auditor.js';
import type { Clock } from '../core/clock.js';
import {
  type DeliveryNotifier,
  type DestinationWriter,
  type Place,
  placeOf,
} from '../core/delivery-ports.js';
import type { KeyRequest, MessageKind, Store } from '../core/model.js';
import type { PolicyRole } from '../core/policy-model.js';
import type { ApprovalCard, KeyApi, Notifier, People, RoleApi, SlackRef } from '../core/ports.js';
import type { Policy } from '../policy/index.js';
import { KeyedMutex } from '../util/keyed-mutex.js';
import { announceOnce } from './announce-mark.js';
import { Gate } from './gate.js';
import { currentServices } from './service-roles.js';

/**
 * How this instance shares the database. `exclusive`: no other instance uses it (SQLite), so a
 * `creating` request no local attempt holds was interrupted. Otherwise each attempt holds a lease
 * (`attemptLeaseMs`, renewed while it runs) and only an expired lease marks it interrupted.
 */
export interface ReplicaOptions {
  instanceId: string;
  exclusive: boolean;
  attemptLeaseMs: number;
}

export interface WorkflowDeps {
  store: Store;
  keys: KeyApi;
  /** Services and custom roles, for roles scoped to services (product.md §16); absent, such roles cannot be served. */
  roles?: RoleApi;
  policy: Policy;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  /** ClickHouse API origin, for the `curl` example shown with a new secret. */
  apiUrl: string;
  /** Last four characters of Keyhouse's own key ID, to mark its own key in lists. */
  selfKeySuffix?: string | null;
  replicas?: ReplicaOptions;
  newId?: () => string;
  /** Slack's word on people (users.info), for review and reassign; absent, nobody counts as deactivated. */
  people?: People;
  /** The one auditor of the process (the watch and the timers write through it too); one is made when absent. */
  audit?: Auditor;
  /** How on-call approvals and break glass reach the channels (product.md §15); absent, they are only audited. */
  access?: AccessNotifier;
  /** Destinations (product.md §12): where keys are written, and who is told; absent, none is reachable. */
  delivery?: Delivery;
}

export interface Delivery {
  writer: DestinationWriter;
  notifier: DeliveryNotifier;
}

/** Shared plumbing of the workflow steps: dependencies, the auditor and message bookkeeping. */
export class WorkflowContext {
  readonly store: Store;
  readonly keys: KeyApi;
  readonly roles: RoleApi | null;
  readonly policy: Policy;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly apiUrl: string;
  readonly selfKeySuffix: string | null;
  readonly replicas: ReplicaOptions;
  readonly audit: Auditor;
  /** The one gate every key transition passes (gate.ts). */
  readonly gate: Gate;
  readonly newId: () => string;
  readonly people: People | null;
  readonly access: AccessNotifier | null;
  readonly delivery: Delivery | null;
  /** Attempts this process is running right now, so settlement never races its own work. */
  readonly attemptsInFlight = new Set<string>();
  /** Keys whose disappearance from a list is being confirmed with ClickHouse right now. */
  readonly vanishChecks = new Set<string>();
  readonly #messages = new KeyedMutex();

  constructor(deps: WorkflowDeps) {
    this.store = deps.store;
    this.keys = deps.keys;
    this.roles = deps.roles ?? null;
    this.policy = deps.policy;
    this.notifier = deps.notifier;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.apiUrl = deps.apiUrl;
    this.selfKeySuffix = deps.selfKeySuffix ?? null;
    this.replicas = deps.replicas ?? { instanceId: randomUUID(), exclusive: true, attemptLeaseMs: 30_000 };
    this.newId = deps.newId ?? randomUUID;
    this.people = deps.people ?? null;
    this.access = deps.access ?? null;
    this.delivery = deps.delivery ?? null;
    this.audit = deps.audit ?? new Auditor(deps.store, deps.clock, deps.logger);
    this.gate = new Gate(this);
  }

  /**
   * The request's role as the policy has it now; a role removed from the policy since the
   * request was made still renders, under its id, and grants nothing new.
   */
  roleOf(request: KeyRequest): PolicyRole {
    return (
      this.policy.role(request.roleId) ?? {
        id: request.roleId,
        label: `${request.roleId} (no longer in the policy)`,
        grant: { roles: [] },
        maxExpiry: request.expiry,
        maxExpiryMs: null,
        approvals: request.approvalsRequired,
      }
    );
  }

  /** Where the request's key goes (product.md §12), as the policy names the destination now; null for the requester. */
  placeOf(request: KeyRequest): Place | null {
    if (!request.destinationId) return null;
    const destination = this.policy.doc.destinations.find((d) => d.id === request.destinationId);
    return destination
      ? placeOf(destination, {
          keyName: request.keyName,
          roleId: request.roleId,
          requesterId: request.requesterId,
        })
      : null;
  }

  async messageRef(requestId: string, kind: MessageKind): Promise<SlackRef | null> {
    const refs = await this.store.getMessageRefs(requestId);
    const ref = refs.find((r) => r.kind === kind);
    return ref ? { channel: ref.channel, ts: ref.ts } : null;
  }

  async approvalCard(request: KeyRequest): Promise<ApprovalCard> {
    const decisions = await this.store.listDecisions(request.id);
    return {
      request,
      role: this.roleOf(request),
      approvals: decisions.filter((d) => d.decision === 'approve'),
      denial: decisions.find((d) => d.decision === 'deny') ?? null,
      now: this.clock.now(),
      destination: this.placeOf(request),
      ...(request.services ? { services: await currentServices(this) } : {}),
    };
  }

  /**
   * Sends the requester the Create key DM (no secret in it) and remembers where it is; once per
   * request, whoever tries (another replica; the timers, for a DM a crash lost: announce-mark.ts).
   */
  async sendClaim(request: KeyRequest, approvedBy: readonly string[] | 'policy'): Promise<void> {
    await announceOnce(this, request, 'dm', () => this.postClaim(request, approvedBy));
  }

  /** The Create key DM itself, for whoever holds its mark. */
  async postClaim(request: KeyRequest, approvedBy: readonly string[] | 'policy'): Promise<void> {
    const ref = await this.notifier.sendClaim({
      request,
      role: this.roleOf(request),
      approvedBy,
      status: 'open',
      now: this.clock.now(),
    });
    await this.store.putMessageRef({ requestId: request.id, kind: 'dm', ...ref });
  }

  /** Who approved a request, for the requester's DM: user ids, or `policy` when none had to. */
  async approvers(request: KeyRequest): Promise<readonly string[] | 'policy'> {
    if (request.approvalsRequired === 0) return 'policy';
    const decisions = await this.store.listDecisions(request.id);
    return decisions.filter((d) => d.decision === 'approve').map((d) => d.userId);
  }

  /**
   * Rewrites the approval message from the request as stored now. Rewrites of one request are
   * serialized and each reads fresh state, so a slow listener cannot paint an older picture over
   * a newer one. Slack failures here are logged: the decision itself already stands.
   */
  refreshApproval(requestId: string): Promise<void> {
    return this.#messages.run(`approval:${requestId}`, async () => {
      const ref = await this.messageRef(requestId, 'approval');
      const request = await this.store.getRequest(requestId);
      if (!ref || !request) return;
      await this.quietly('update approval message', () =>
        this.approvalCard(request).then((card) => this.notifier.updateApproval(ref, card)),
      );
    });
  }

  /** Runs a Slack side effect whose failure must not undo what already happened; logs it. */
  async quietly(what: string, effect: () => Promise<unknown>): Promise<boolean> {
    try {
      await effect();
      return true;
    } catch (error) {
      this.logger.warn({ err: error }, `could not ${what}`);
      return false;
    }
  }
}
