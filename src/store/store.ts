/**
 * The store, once for both databases: every query is written here with Kysely, against the
 * dialect (dialect.ts) that says what differs. Every compare-and-set is one conditional statement
 * (or a locked read and write in one transaction), so it succeeds for exactly one caller.
 */
import { type Kysely, sql } from 'kysely';
import { type Logger, pino } from 'pino';
import { type ChainedFields, eventHash } from '../core/audit-chain.js';
import { KeyhouseError, type KeyhouseErrorCode } from '../core/errors.js';
import type {
  ApprovalArgs,
  ApprovalResult,
  AuditChain,
  AuditChainHead,
  AuditEvent,
  AuditFilter,
  AuditInput,
  Decision,
  DenialArgs,
  DenialResult,
  KeyOwner,
  KeyRequest,
  LeakMark,
  MessageRef,
  NewRequest,
  NewRetirement,
  PersonRecord,
  RequestFilter,
  RequestState,
  Retirement,
  RetirementFilter,
  RetirementStep,
  ServiceRoleClaim,
  ServiceRoleRecord,
  ServiceRoleState,
  ServiceRoleStep,
  Store,
  TimerClaim,
  TimerMark,
  TimerMarkFilter,
  TimerSettle,
  TransitionArgs,
} from '../core/model.js';
import type { ChosenService } from '../core/service-scope.js';
import type { FailureKind, StoreDialect } from './dialect.js';
import { type Migration, runMigrations } from './migrator.js';
import {
  approvedColumns,
  auditFromRow,
  chainHeadFromRow,
  countsByState,
  decisionFromRow,
  keyOwnerFromRow,
  messageRefFromRow,
  patchColumns,
  personFromRow,
  requestFromRow,
  retirementFromRow,
  serviceRoleFromRow,
  timerMarkFromRow,
} from './records.js';
import type { Tables, Timestamp } from './schema.js';
import { type Statements, statements } from './statements.js';
import { jsonText, storableText, UnstorableValueError } from './text.js';

export interface SqlStoreOptions {
  logger?: Logger;
  /** The migrations to apply; Keyhouse's own by default (tests pass a longer list). */
  migrations?: readonly Migration[];
}

/** What each kind of failure is called for one operation (everything `internal` unless said). */
type Codes = Partial<Record<FailureKind, KeyhouseErrorCode>>;

const AUDIT_CODES: Codes = { refused: 'invalid_input', conflict: 'audit_failed', failed: 'audit_failed' };

/** `…a1b2`, `...a1b2` or `a1b2` → `a1b2`: what a user may type for a key suffix. */
function bareSuffix(text: string): string {
  return text.replace(/^(?:…|\.\.\.)/, '');
}

/** A `limit` is a count of rows: a non-negative integer, or absent for all of them. */
function checkLimit(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new KeyhouseError('invalid_input', 'limit must be a non-negative integer');
  }
  return limit;
}

function fromStates(from: RequestState | readonly RequestState[]): RequestState[] {
  return typeof from === 'string' ? [from] : [...from];
}

/** The request as read, and whether a decision may still be taken on it. */
type DecisionTarget = { pending: true; request: KeyRequest } | { pending: false; request: KeyRequest | null };

/** A decision may be taken on a request that is pending and whose deadline has not come at `at`. */
function decisionTarget(request: KeyRequest | null, at: Date): DecisionTarget {
  if (request?.state !== 'pending') return { pending: false, request };
  if (request.deadline !== null && request.deadline.getTime() <= at.getTime()) {
    return { pending: false, request };
  }
  return { pending: true, request };
}

/**
 * The fields of an event as they will be stored and read back, so its hash is over exactly that;
 * the chain adds its place and link under the lock.
 */
type StoredFields = Omit<ChainedFields, 'seq' | 'prevHash'> & { detailText: string | null };

function optionalText(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : storableText(value);
}

function storedFields(event: AuditInput): StoredFields {
  const detailText = jsonText('detail', event.detail);
  return {
    at: new Date(event.at.getTime()),
    actorId: storableText(event.actorId),
    action: storableText(event.action),
    outcome: event.outcome,
    requestId: optionalText(event.requestId),
    keyId: optionalText(event.keyId),
    keyName: optionalText(event.keyName),
    keySuffix: optionalText(event.keySuffix),
    upstreamRequestId: optionalText(event.upstreamRequestId),
    detail: detailText === null ? null : (JSON.parse(detailText) as Record<string, unknown>),
    detailText,
  };
}

/** A Keyhouse store on one database, SQLite or PostgreSQL. */
export class SqlStore implements Store {
  readonly #dialect: StoreDialect;
  readonly #db: Kysely<Tables>;
  readonly #logger: Logger;
  readonly #migrations: readonly Migration[] | undefined;
  /** Lists read since the database last changed, by query (see `#unchanged`). */
  readonly #held = new Map<string, readonly unknown[]>();
  #heldStamp: string | null = null;
  #closed = false;
  readonly #sql: Statements;

  constructor(dialect: StoreDialect, options: SqlStoreOptions = {}) {
    this.#dialect = dialect;
    this.#db = dialect.db;
    this.#logger = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'store',
      backend: dialect.name,
    });
    this.#migrations = options.migrations;
    this.#sql = statements(dialect);
  }

  async migrate(): Promise<void> {
    await this.#guard('migrate', () => runMigrations(this.#dialect, this.#logger, this.#migrations));
  }

  async ping(): Promise<void> {
    await this.#guard('ping', () => sql`SELECT 1`.execute(this.#db));
  }

  async countRequestsByState(): Promise<Record<RequestState, number>> {
    return this.#guard('countRequestsByState', async () => {
      return countsByState(await this.#sql.countRequests.all(this.#db, {}));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#dialect.close();
  }

  async createRequest(input: NewRequest): Promise<KeyRequest> {
    return this.#guard(
      'createRequest',
      async () => {
        const created = this.#time(input.createdAt);
        const row = await this.#sql.insertRequest.first(this.#db, {
          id: input.id,
          kind: input.kind,
          requester_id: input.requesterId,
          key_name: input.keyName,
          role_id: input.roleId,
          expiry: input.expiry,
          reason: input.reason,
          ip_access_list: jsonText('ip_access_list', input.ipAccessList),
          approvals_required: input.approvalsRequired,
          state: input.state,
          created_at: created,
          updated_at: created,
          deadline: input.deadline ? this.#time(input.deadline) : null,
          // Approved on submission (a role needing no approval): the policy decided then.
          decided_at: input.state === 'approved' ? created : null,
          key_id: input.keyId ?? null,
          key_suffix: input.keySuffix ?? null,
          change: jsonText('change', input.change),
          rotation: jsonText('rotation', input.rotation),
          services: jsonText('services', input.services),
        });
        if (!row) throw new KeyhouseError('internal', 'store: createRequest returned no row');
        return requestFromRow(this.#dialect, row);
      },
      { conflict: 'conflict' },
    );
  }

  async getRequest(id: string): Promise<KeyRequest | null> {
    return this.#guard('getRequest', () => this.#getRequest(this.#db, id));
  }

  async listRequests(filter: RequestFilter): Promise<KeyRequest[]> {
    return this.#guard('listRequests', async () => {
      const limit = checkLimit(filter.limit);
      if (filter.states?.length === 0) return [];
      const rows = await this.#db
        .selectFrom('requests')
        .selectAll()
        .$if(filter.states !== undefined, (q) => q.where('state', 'in', filter.states!))
        .$if(filter.requesterId !== undefined, (q) => q.where('requester_id', '=', filter.requesterId!))
        .$if(filter.kind !== undefined, (q) => q.where('kind', '=', filter.kind!))
        .$if(filter.deadlineBefore !== undefined, (q) =>
          q.where('deadline', '<=', this.#time(filter.deadlineBefore!)),
        )
        .orderBy('created_at')
        .orderBy('id')
        .$if(limit !== undefined, (q) => q.limit(limit!))
        .execute();
      return rows.map((row) => requestFromRow(this.#dialect, row));
    });
  }

  async transition(args: TransitionArgs): Promise<KeyRequest | null> {
    return this.#guard('transition', async () => {
      const from = fromStates(args.from);
      if (from.length === 0) return null;
      const at = this.#time(args.at);
      const row = await this.#db
        .updateTable('requests')
        .set({ state: args.to, updated_at: at, ...patchColumns(this.#dialect, args.set) })
        .where('id', '=', args.id)
        .where('state', 'in', from)
        .$if(args.withinDeadline === true, (q) =>
          q.where((eb) => eb.or([eb('deadline', 'is', null), eb('deadline', '>', at)])),
        )
        .$if(args.attemptId !== undefined, (q) => q.where('attempt_id', '=', args.attemptId!))
        .returningAll()
        .executeTakeFirst();
      return row ? requestFromRow(this.#dialect, row) : null;
    });
  }

  async recordApproval(args: ApprovalArgs): Promise<ApprovalResult> {
    return this.#guard('recordApproval', () =>
      this.#dialect.write(async (trx): Promise<ApprovalResult> => {
        const current = decisionTarget(await this.#getRequest(trx, args.requestId, true), args.at);
        if (!current.pending) {
          return {
            outcome: 'not_pending',
            request: current.request,
            approvals: await this.#approvals(trx, args.requestId),
          };
        }
        const inserted = await this.#decide(trx, args.requestId, args.userId, 'approve', null, args.at);
        const approvals = await this.#approvals(trx, args.requestId);
        if (!inserted) return { outcome: 'duplicate', request: current.request, approvals };
        if (approvals.length < current.request.approvalsRequired) {
          return { outcome: 'recorded', request: current.request, approvals };
        }
        const request = await this.#settle(trx, args.requestId, 'approved', args.approvedDeadline, args.at);
        return { outcome: 'approved', request, approvals };
      }),
    );
  }

  async recordDenial(args: DenialArgs): Promise<DenialResult> {
    return this.#guard('recordDenial', () =>
      this.#dialect.write(async (trx): Promise<DenialResult> => {
        const current = decisionTarget(await this.#getRequest(trx, args.requestId, true), args.at);
        if (!current.pending) return { outcome: 'not_pending', request: current.request };
        await this.#decide(trx, args.requestId, args.userId, 'deny', args.reason, args.at);
        // A settled request has no deadline: nothing lapses any more.
        const request = await this.#settle(trx, args.requestId, 'denied', null, args.at);
        return { outcome: 'denied', request };
      }),
    );
  }

  async listDecisions(requestId: string): Promise<Decision[]> {
    return this.#guard('listDecisions', async () => {
      const rows = await this.#sql.decisions.all(this.#db, { request_id: requestId });
      return rows.map((row) => decisionFromRow(this.#dialect, row));
    });
  }

  async putKeyOwner(owner: KeyOwner): Promise<void> {
    const row = {
      key_id: owner.keyId,
      owner_id: owner.ownerId,
      request_id: owner.requestId,
      key_name: owner.keyName,
      key_suffix: owner.keySuffix,
      created_at: this.#time(owner.createdAt),
      role_id: owner.roleId ?? null,
      fingerprint: owner.fingerprint ?? null,
    };
    await this.#guard('putKeyOwner', () =>
      // Absent, the approved envelope keeps what is stored (a reassignment does not know it).
      owner.approvedUntil === undefined
        ? this.#sql.putOwner.all(this.#db, row)
        : this.#sql.putOwnerWithEnvelope.all(this.#db, {
            ...row,
            ...approvedColumns(this.#dialect, owner.approvedUntil),
          }),
    );
  }

  async getKeyOwner(keyId: string): Promise<KeyOwner | null> {
    return this.#guard('getKeyOwner', async () => {
      const row = await this.#sql.getOwner.first(this.#db, { key_id: keyId });
      return row ? keyOwnerFromRow(this.#dialect, row) : null;
    });
  }

  changeStamp(): string | null {
    return this.#dialect.changeStamp();
  }

  async listKeyOwners(ownerId?: string): Promise<KeyOwner[]> {
    return this.#guard('listKeyOwners', () =>
      this.#unchanged(`owners:${ownerId ?? ''}`, async () => {
        const rows =
          ownerId === undefined
            ? await this.#sql.owners.all(this.#db, {})
            : await this.#sql.ownersOf.all(this.#db, { owner_id: ownerId });
        return rows.map((row) => keyOwnerFromRow(this.#dialect, row));
      }),
    );
  }

  async findKeyOwnerByFingerprint(fingerprint: string): Promise<KeyOwner | null> {
    return this.#guard('findKeyOwnerByFingerprint', async () => {
      const row = await this.#sql.ownerByFingerprint.first(this.#db, { fingerprint });
      return row ? keyOwnerFromRow(this.#dialect, row) : null;
    });
  }

  async findKeyOwnersByFingerprints(fingerprints: readonly string[]): Promise<KeyOwner[]> {
    const wanted = [...new Set(fingerprints)];
    if (wanted.length === 0) return [];
    return this.#guard('findKeyOwnersByFingerprints', async () => {
      const rows = await this.#db
        .selectFrom('key_owners')
        .selectAll()
        .where('fingerprint', 'in', wanted)
        .orderBy('created_at')
        .orderBy('key_id')
        .execute();
      // One owner per fingerprint, the oldest, as `findKeyOwnerByFingerprint` answers.
      const seen = new Set<string>();
      const owners: KeyOwner[] = [];
      for (const row of rows) {
        if (row.fingerprint === null || seen.has(row.fingerprint)) continue;
        seen.add(row.fingerprint);
        owners.push(keyOwnerFromRow(this.#dialect, row));
      }
      return owners;
    });
  }

  async deleteKeyOwner(keyId: string): Promise<void> {
    await this.#guard('deleteKeyOwner', () => this.#sql.deleteOwner.all(this.#db, { key_id: keyId }));
  }

  async renameKeyOwner(keyId: string, keyName: string): Promise<void> {
    await this.#guard('renameKeyOwner', () =>
      this.#sql.renameOwner.all(this.#db, { key_id: keyId, key_name: keyName }),
    );
  }

  async setKeyOwnerRole(keyId: string, roleId: string): Promise<void> {
    await this.#guard('setKeyOwnerRole', () =>
      this.#sql.setOwnerRole.all(this.#db, { key_id: keyId, role_id: roleId }),
    );
  }

  async setApprovedUntil(keyId: string, approvedUntil: Date | 'never'): Promise<void> {
    await this.#guard('setApprovedUntil', () =>
      this.#sql.setEnvelope.all(this.#db, {
        key_id: keyId,
        ...approvedColumns(this.#dialect, approvedUntil),
      }),
    );
  }

  async markLeaked(keyId: string, mark: LeakMark): Promise<boolean> {
    return this.#guard('markLeaked', async () => {
      const row = await this.#sql.markLeaked.first(this.#db, {
        key_id: keyId,
        leak_at: this.#time(mark.at),
        leak_source: mark.source,
      });
      return row !== undefined;
    });
  }

  async liftLeak(keyId: string): Promise<boolean> {
    return this.#guard('liftLeak', async () => {
      return (await this.#sql.liftLeak.first(this.#db, { key_id: keyId })) !== undefined;
    });
  }

  async recordPerson(
    userId: string,
    status: PersonRecord['status'],
    at: Date,
  ): Promise<{ person: PersonRecord; changed: boolean }> {
    return this.#guard('recordPerson', async () => {
      const changed = await this.#sql.recordPerson.first(this.#db, {
        user_id: userId,
        status,
        changed_at: this.#time(at),
        deactivations: status === 'deactivated' ? 1 : 0,
      });
      if (changed) return { person: personFromRow(this.#dialect, changed), changed: true };
      const person = await this.#getPerson(userId);
      if (!person) throw new KeyhouseError('internal', 'store: recordPerson found no row after a conflict');
      return { person, changed: false };
    });
  }

  async getPerson(userId: string): Promise<PersonRecord | null> {
    return this.#guard('getPerson', () => this.#getPerson(userId));
  }

  async listPeople(status?: PersonRecord['status']): Promise<PersonRecord[]> {
    return this.#guard('listPeople', async () => {
      const rows = await this.#db
        .selectFrom('people')
        .selectAll()
        .$if(status !== undefined, (q) => q.where('status', '=', status!))
        .orderBy('changed_at')
        .orderBy('user_id')
        .execute();
      return rows.map((row) => personFromRow(this.#dialect, row));
    });
  }

  async putRetirement(input: NewRetirement): Promise<Retirement | null> {
    return this.#guard('putRetirement', async () => {
      const row = await this.#sql.putRetirement.first(this.#db, {
        key_id: input.keyId,
        key_name: input.keyName,
        key_suffix: input.keySuffix,
        owner_id: input.ownerId,
        request_id: input.requestId,
        successor_key_id: input.successorKeyId,
        successor_suffix: input.successorSuffix,
        retire_at: this.#time(input.retireAt),
        stage: 'retiring',
        updated_at: this.#time(input.at),
      });
      return row ? retirementFromRow(this.#dialect, row) : null;
    });
  }

  async getRetirement(keyId: string): Promise<Retirement | null> {
    return this.#guard('getRetirement', async () => {
      const row = await this.#sql.getRetirement.first(this.#db, { key_id: keyId });
      return row ? retirementFromRow(this.#dialect, row) : null;
    });
  }

  async listRetirements(filter: RetirementFilter = {}): Promise<Retirement[]> {
    // The key list asks this (without a time) of every viewer: answered from memory while nothing changed.
    return this.#guard('listRetirements', () =>
      filter.retireBefore === undefined
        ? this.#unchanged(`retirements:${filter.stages?.join() ?? '*'}`, () => this.#listRetirements(filter))
        : this.#listRetirements(filter),
    );
  }

  async advanceRetirement(step: RetirementStep): Promise<Retirement | null> {
    return this.#guard('advanceRetirement', async () => {
      const row = await this.#sql.advanceRetirement.first(this.#db, {
        key_id: step.keyId,
        from: step.from,
        to: step.to,
        at: this.#time(step.at),
      });
      return row ? retirementFromRow(this.#dialect, row) : null;
    });
  }

  async appendAudit(event: AuditInput): Promise<AuditEvent> {
    return this.#guard(
      'appendAudit',
      async () => {
        // Exactly what will be read back, so the hash verify recomputes is the one stored here.
        const fields = storedFields(event);
        // Inside the write lock (SQLite) or with the head row locked (PostgreSQL): read the head,
        // link the event to it as the next seq, move the head. Concurrent appends queue, so the
        // chain stays one line.
        return this.#dialect.write(async (trx) => {
          const head = chainHeadFromRow(await this.#sql.lockChainHead.first(trx, {}));
          const seq = (head.headSeq ?? 0) + 1;
          const hash = eventHash({ ...fields, seq, prevHash: head.headHash });
          const row = await this.#sql.appendEvent.first(trx, {
            seq,
            at: this.#time(fields.at),
            actor_id: fields.actorId,
            action: fields.action,
            outcome: fields.outcome,
            request_id: fields.requestId,
            key_id: fields.keyId,
            key_name: fields.keyName,
            key_suffix: fields.keySuffix,
            upstream_request_id: fields.upstreamRequestId,
            detail: fields.detailText,
            prev_hash: head.headHash,
            hash,
          });
          if (!row) throw new KeyhouseError('internal', 'store: the audit event was not written');
          await this.#sql.moveChainHead.all(trx, { head_seq: seq, head_hash: hash });
          return auditFromRow(this.#dialect, row);
        });
      },
      AUDIT_CODES,
    );
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return this.#guard('listAudit', async () => {
      const limit = checkLimit(filter.limit);
      const rows = await this.#db
        .selectFrom('audit_events')
        .selectAll()
        .$if(filter.requestId !== undefined, (q) => q.where('request_id', '=', filter.requestId!))
        .$if(filter.keyId !== undefined, (q) => q.where('key_id', '=', filter.keyId!))
        .$if(filter.key !== undefined, (q) => {
          const [name, suffix] = [filter.key!, bareSuffix(filter.key!)];
          return q.where((eb) =>
            eb.or([
              eb('key_name', '=', name),
              eb('key_suffix', '=', suffix),
              eb(
                'request_id',
                'in',
                eb
                  .selectFrom('requests')
                  .select('id')
                  .where((r) => r.or([r('key_name', '=', name), r('key_suffix', '=', suffix)])),
              ),
            ]),
          );
        })
        .$if(filter.user !== undefined, (q) => {
          const user = filter.user!;
          return q.where((eb) =>
            eb.or([
              eb('actor_id', '=', user),
              eb('request_id', 'in', eb.selectFrom('requests').select('id').where('requester_id', '=', user)),
              eb('key_id', 'in', eb.selectFrom('key_owners').select('key_id').where('owner_id', '=', user)),
            ]),
          );
        })
        .$if(filter.since !== undefined, (q) => q.where('at', '>=', this.#time(filter.since!)))
        .$if(filter.until !== undefined, (q) => q.where('at', '<', this.#time(filter.until!)))
        .orderBy('seq', filter.newest ? 'desc' : 'asc')
        .$if(limit !== undefined, (q) => q.limit(limit!))
        .execute();
      const events = rows.map((row) => auditFromRow(this.#dialect, row));
      return filter.newest ? events.reverse() : events;
    });
  }

  async auditChainHead(): Promise<AuditChainHead> {
    return this.#guard('auditChainHead', () => this.#chainHead(this.#db));
  }

  async readAuditChain(): Promise<AuditChain> {
    return this.#guard('readAuditChain', () =>
      // One snapshot: an append committed between reading the head and the events would otherwise
      // look like events removed at the end (or, the other way round, added past the head).
      this.#dialect.snapshot(async (trx) => {
        const head = await this.#chainHead(trx);
        const rows = await this.#sql.allEvents.all(trx, {});
        return { head, events: rows.map((row) => auditFromRow(this.#dialect, row)) };
      }),
    );
  }

  async getWatchState(name: string): Promise<string | null> {
    return this.#guard('getWatchState', async () => {
      const row = await this.#sql.getWatchState.first(this.#db, { name });
      return row?.value ?? null;
    });
  }

  async putWatchState(name: string, value: string, at: Date): Promise<void> {
    await this.#guard('putWatchState', () =>
      this.#sql.putWatchState.all(this.#db, { name, value, updated_at: this.#time(at) }),
    );
  }

  async claimActivity(activityId: string, at: Date): Promise<boolean> {
    return this.#guard('claimActivity', async () => {
      const row = await this.#sql.claimActivity.first(this.#db, {
        activity_id: activityId,
        seen_at: this.#time(at),
      });
      return row !== undefined;
    });
  }

  async claimActivities(activityIds: readonly string[], at: Date): Promise<string[]> {
    const wanted = [...new Set(activityIds)];
    if (wanted.length === 0) return [];
    return this.#guard('claimActivities', async () => {
      const seenAt = this.#time(at);
      const rows = await this.#db
        .insertInto('watch_seen')
        .values(wanted.map((id) => ({ activity_id: id, seen_at: seenAt })))
        .onConflict((oc) => oc.doNothing())
        .returning('activity_id')
        .execute();
      return rows.map((row) => row.activity_id);
    });
  }

  async putMessageRef(ref: MessageRef): Promise<void> {
    await this.#guard('putMessageRef', () =>
      this.#sql.putMessageRef.all(this.#db, {
        request_id: ref.requestId,
        kind: ref.kind,
        channel: ref.channel,
        ts: ref.ts,
      }),
    );
  }

  async getMessageRefs(requestId: string): Promise<MessageRef[]> {
    return this.#guard('getMessageRefs', async () => {
      const rows = await this.#sql.messageRefs.all(this.#db, { request_id: requestId });
      return rows.map(messageRefFromRow);
    });
  }

  async tryLease(name: string, holder: string, ttlMs: number, at: Date): Promise<boolean> {
    return this.#guard('tryLease', async () => {
      const row = await this.#sql.tryLease.first(this.#db, {
        name,
        holder,
        expires_at: this.#time(new Date(at.getTime() + ttlMs)),
        now: this.#time(at),
      });
      return row?.holder === holder;
    });
  }

  async claimTimer(claim: TimerClaim): Promise<TimerMark | null> {
    return this.#guard('claimTimer', async () => {
      // Never early: a claim before its due time takes nothing.
      if (claim.dueAt.getTime() > claim.at.getTime()) return null;
      const row = await this.#sql.claimTimer.first(this.#db, {
        rule: claim.rule,
        subject: claim.subject,
        threshold: claim.threshold,
        holder: claim.holder,
        due_at: this.#time(claim.dueAt),
        claimed_at: this.#time(claim.at),
        detail: jsonText('detail', claim.detail),
        max_attempts: claim.maxAttempts ?? 1,
        abandoned_before: claim.abandonedBefore ? this.#time(claim.abandonedBefore) : null,
      });
      return row ? timerMarkFromRow(this.#dialect, row) : null;
    });
  }

  async settleTimer(settle: TimerSettle): Promise<boolean> {
    return this.#guard('settleTimer', async () => {
      const values = {
        rule: settle.rule,
        subject: settle.subject,
        threshold: settle.threshold,
        holder: settle.holder,
        state: settle.state,
        settled_at: this.#time(settle.at),
        detail: jsonText('detail', settle.detail),
      };
      // Without a detail, the claim's stays.
      const row =
        settle.detail === undefined
          ? await this.#sql.settleTimer.first(this.#db, values)
          : await this.#sql.settleTimerWithDetail.first(this.#db, values);
      return row !== undefined;
    });
  }

  async listTimerMarks(filter: TimerMarkFilter = {}): Promise<TimerMark[]> {
    return this.#guard('listTimerMarks', async () => {
      if (filter.rules?.length === 0 || filter.subjects?.length === 0) return [];
      const rows = await this.#db
        .selectFrom('timer_marks')
        .selectAll()
        .$if(filter.rules !== undefined, (q) => q.where('rule', 'in', filter.rules!))
        .$if(filter.subjects !== undefined, (q) => q.where('subject', 'in', filter.subjects!))
        .orderBy('claimed_at')
        .orderBy('rule')
        .orderBy('subject')
        .orderBy('threshold')
        .execute();
      return rows.map((row) => timerMarkFromRow(this.#dialect, row));
    });
  }

  async setKeyOwnerServices(keyId: string, services: ChosenService[] | null): Promise<void> {
    await this.#guard('setKeyOwnerServices', () =>
      this.#db
        .updateTable('key_owners')
        .set({ services: jsonText('services', services) })
        .where('key_id', '=', keyId)
        .execute(),
    );
  }

  async claimServiceRole(claim: ServiceRoleClaim): Promise<ServiceRoleRecord | null> {
    return this.#guard('claimServiceRole', async () => {
      const at = this.#time(claim.at);
      const inserted = await this.#db
        .insertInto('service_roles')
        .values({
          name: claim.name,
          policy_role_id: claim.policyRoleId,
          access: claim.access,
          service_ids: jsonText('service_ids', claim.serviceIds),
          clickhouse_role_id: null,
          state: 'making',
          holder: claim.holder,
          unused_since: null,
          updated_at: at,
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return serviceRoleFromRow(this.#dialect, inserted);
      // Taken over only from a process that died making it (its row untouched since).
      const taken = await this.#db
        .updateTable('service_roles')
        .set({ holder: claim.holder, updated_at: at })
        .where('name', '=', claim.name)
        .where('state', '=', 'making')
        .where('updated_at', '<=', this.#time(claim.abandonedBefore))
        .returningAll()
        .executeTakeFirst();
      return taken ? serviceRoleFromRow(this.#dialect, taken) : null;
    });
  }

  async getServiceRole(name: string): Promise<ServiceRoleRecord | null> {
    return this.#guard('getServiceRole', async () => {
      const row = await this.#db
        .selectFrom('service_roles')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? serviceRoleFromRow(this.#dialect, row) : null;
    });
  }

  async listServiceRoles(): Promise<ServiceRoleRecord[]> {
    return this.#guard('listServiceRoles', async () => {
      const rows = await this.#db.selectFrom('service_roles').selectAll().orderBy('name').execute();
      return rows.map((row) => serviceRoleFromRow(this.#dialect, row));
    });
  }

  async stepServiceRole(step: ServiceRoleStep): Promise<ServiceRoleRecord | null> {
    return this.#guard('stepServiceRole', async () => {
      const set: Partial<{
        clickhouse_role_id: string | null;
        unused_since: Timestamp | null;
        holder: string;
      }> = {};
      if (step.set?.clickhouseRoleId !== undefined) set.clickhouse_role_id = step.set.clickhouseRoleId;
      if (step.set?.unusedSince !== undefined) {
        set.unused_since = step.set.unusedSince === null ? null : this.#time(step.set.unusedSince);
      }
      if (step.set?.holder !== undefined) set.holder = step.set.holder;
      const row = await this.#db
        .updateTable('service_roles')
        .set({ state: step.to, updated_at: this.#time(step.at), ...set })
        .where('name', '=', step.name)
        .where('state', '=', step.from)
        .$if(step.holder !== undefined, (q) => q.where('holder', '=', step.holder!))
        .$if(step.unusedBefore !== undefined, (q) =>
          q.where('unused_since', 'is not', null).where('unused_since', '<=', this.#time(step.unusedBefore!)),
        )
        .returningAll()
        .executeTakeFirst();
      return row ? serviceRoleFromRow(this.#dialect, row) : null;
    });
  }

  async dropServiceRole(name: string, from: ServiceRoleState, holder: string): Promise<boolean> {
    return this.#guard('dropServiceRole', async () => {
      const rows = await this.#db
        .deleteFrom('service_roles')
        .where('name', '=', name)
        .where('state', '=', from)
        .where('holder', '=', holder)
        .returning('name')
        .execute();
      return rows.length > 0;
    });
  }

  #time(date: Date): Timestamp {
    return this.#dialect.time(date);
  }

  async #getRequest(db: Kysely<Tables>, id: string, lock = false): Promise<KeyRequest | null> {
    // Locked, decisions on one request queue until the transaction ends.
    const row = await (lock ? this.#sql.lockRequest : this.#sql.getRequest).first(db, { id });
    return row ? requestFromRow(this.#dialect, row) : null;
  }

  async #approvals(db: Kysely<Tables>, requestId: string): Promise<Decision[]> {
    const rows = await this.#sql.approvals.all(db, { request_id: requestId });
    return rows.map((row) => decisionFromRow(this.#dialect, row));
  }

  /** Records a decision; false when this user had already made it. */
  async #decide(
    db: Kysely<Tables>,
    requestId: string,
    userId: string,
    decision: Decision['decision'],
    reason: string | null,
    at: Date,
  ): Promise<boolean> {
    const row = await this.#sql.decide.first(db, {
      request_id: requestId,
      user_id: userId,
      decision,
      reason,
      at: this.#time(at),
    });
    return row !== undefined;
  }

  /** Moves a request to its decided state. */
  async #settle(
    db: Kysely<Tables>,
    requestId: string,
    state: 'approved' | 'denied',
    deadline: Date | null,
    at: Date,
  ): Promise<KeyRequest> {
    const row = await this.#sql.settleRequest.first(db, {
      id: requestId,
      state,
      deadline: deadline ? this.#time(deadline) : null,
      at: this.#time(at),
    });
    if (!row) throw new KeyhouseError('internal', 'store: the request to settle is gone');
    return requestFromRow(this.#dialect, row);
  }

  async #getPerson(userId: string): Promise<PersonRecord | null> {
    const row = await this.#sql.getPerson.first(this.#db, { user_id: userId });
    return row ? personFromRow(this.#dialect, row) : null;
  }

  async #listRetirements(filter: RetirementFilter): Promise<Retirement[]> {
    if (filter.stages?.length === 0) return [];
    const rows = await this.#db
      .selectFrom('retirements')
      .selectAll()
      .$if(filter.stages !== undefined, (q) => q.where('stage', 'in', filter.stages!))
      .$if(filter.retireBefore !== undefined, (q) =>
        q.where('retire_at', '<=', this.#time(filter.retireBefore!)),
      )
      .orderBy('retire_at')
      .orderBy('key_id')
      .execute();
    return rows.map((row) => retirementFromRow(this.#dialect, row));
  }

  async #chainHead(db: Kysely<Tables>): Promise<AuditChainHead> {
    return chainHeadFromRow(await this.#sql.chainHead.first(db, {}));
  }

  /**
   * A list `read` made since nothing in the database changed, or a fresh one. Every list of keys
   * reads the owners and the retirements, and they change only when a key is delivered, reassigned,
   * rotated or forgotten: the rows are kept, frozen, until the dialect's change stamp moves. Rows
   * are read after the stamp, so they are never older than it; a read that finishes after the
   * stamp moved on is not kept.
   */
  async #unchanged<T extends object>(query: string, read: () => Promise<T[]>): Promise<T[]> {
    const stamp = this.#dialect.changeStamp();
    if (stamp === null) return read();
    if (stamp !== this.#heldStamp) {
      this.#held.clear();
      this.#heldStamp = stamp;
    }
    let rows = this.#held.get(query) as readonly T[] | undefined;
    if (!rows) {
      rows = (await read()).map((row) => Object.freeze(row));
      if (this.#heldStamp === stamp) this.#held.set(query, rows);
    }
    return [...rows];
  }

  async #guard<T>(operation: string, work: () => Promise<T>, codes: Codes = {}): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof KeyhouseError) throw error;
      const kind = error instanceof UnstorableValueError ? 'refused' : this.#dialect.classify(error);
      throw storeError(operation, error, codes[kind] ?? 'internal');
    }
  }
}

/**
 * A driver error wrapped with the operation that failed and the driver's error code. The driver
 * error stays as `cause` for debugging; nothing from the row is copied into the message.
 */
function storeError(operation: string, cause: unknown, code: KeyhouseErrorCode): KeyhouseError {
  const detail =
    cause instanceof UnstorableValueError
      ? `: ${cause.message}`
      : typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
        ? ` (${cause.code})`
        : '';
  return new KeyhouseError(code, `store: ${operation} failed${detail}`, { cause });
}
