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
  Store,
  TimerClaim,
  TimerMark,
  TimerMarkFilter,
  TimerSettle,
  TransitionArgs,
} from '../core/model.js';
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
  timerMarkFromRow,
} from './records.js';
import type { Tables, Timestamp } from './schema.js';
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

  constructor(dialect: StoreDialect, options: SqlStoreOptions = {}) {
    this.#dialect = dialect;
    this.#db = dialect.db;
    this.#logger = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'store',
      backend: dialect.name,
    });
    this.#migrations = options.migrations;
  }

  async migrate(): Promise<void> {
    await this.#guard('migrate', () => runMigrations(this.#dialect, this.#logger, this.#migrations));
  }

  async ping(): Promise<void> {
    await this.#guard('ping', () => sql`SELECT 1`.execute(this.#db));
  }

  async countRequestsByState(): Promise<Record<RequestState, number>> {
    return this.#guard('countRequestsByState', async () => {
      const rows = await this.#db
        .selectFrom('requests')
        .select((eb) => ['state', eb.fn.countAll<number | string>().as('n')])
        .groupBy('state')
        .execute();
      return countsByState(rows);
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
        const row = await this.#db
          .insertInto('requests')
          .values({
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
          })
          .returningAll()
          .executeTakeFirstOrThrow();
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
      const rows = await this.#db
        .selectFrom('decisions')
        .selectAll()
        .where('request_id', '=', requestId)
        .orderBy('id')
        .execute();
      return rows.map((row) => decisionFromRow(this.#dialect, row));
    });
  }

  async putKeyOwner(owner: KeyOwner): Promise<void> {
    // Absent, the approved envelope keeps what is stored (a reassignment does not know it).
    const approved =
      owner.approvedUntil === undefined ? null : approvedColumns(this.#dialect, owner.approvedUntil);
    await this.#guard('putKeyOwner', () =>
      this.#db
        .insertInto('key_owners')
        .values({
          key_id: owner.keyId,
          owner_id: owner.ownerId,
          request_id: owner.requestId,
          key_name: owner.keyName,
          key_suffix: owner.keySuffix,
          created_at: this.#time(owner.createdAt),
          role_id: owner.roleId ?? null,
          fingerprint: owner.fingerprint ?? null,
          ...approved,
        })
        .onConflict((oc) =>
          oc.column('key_id').doUpdateSet((eb) => ({
            owner_id: eb.ref('excluded.owner_id'),
            request_id: eb.ref('excluded.request_id'),
            key_name: eb.ref('excluded.key_name'),
            key_suffix: eb.ref('excluded.key_suffix'),
            created_at: eb.ref('excluded.created_at'),
            role_id: eb.ref('excluded.role_id'),
            fingerprint: eb.fn.coalesce('excluded.fingerprint', 'key_owners.fingerprint'),
            ...(approved && {
              approved_until: eb.ref('excluded.approved_until'),
              approved_forever: eb.ref('excluded.approved_forever'),
            }),
          })),
        )
        .execute(),
    );
  }

  async getKeyOwner(keyId: string): Promise<KeyOwner | null> {
    return this.#guard('getKeyOwner', async () => {
      const row = await this.#db
        .selectFrom('key_owners')
        .selectAll()
        .where('key_id', '=', keyId)
        .executeTakeFirst();
      return row ? keyOwnerFromRow(this.#dialect, row) : null;
    });
  }

  async listKeyOwners(ownerId?: string): Promise<KeyOwner[]> {
    return this.#guard('listKeyOwners', () =>
      this.#unchanged(`owners:${ownerId ?? ''}`, async () => {
        const rows = await this.#db
          .selectFrom('key_owners')
          .selectAll()
          .$if(ownerId !== undefined, (q) => q.where('owner_id', '=', ownerId!))
          .orderBy('created_at')
          .orderBy('key_id')
          .execute();
        return rows.map((row) => keyOwnerFromRow(this.#dialect, row));
      }),
    );
  }

  async findKeyOwnerByFingerprint(fingerprint: string): Promise<KeyOwner | null> {
    return this.#guard('findKeyOwnerByFingerprint', async () => {
      const row = await this.#db
        .selectFrom('key_owners')
        .selectAll()
        .where('fingerprint', '=', fingerprint)
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst();
      return row ? keyOwnerFromRow(this.#dialect, row) : null;
    });
  }

  async deleteKeyOwner(keyId: string): Promise<void> {
    await this.#guard('deleteKeyOwner', () =>
      this.#db.deleteFrom('key_owners').where('key_id', '=', keyId).execute(),
    );
  }

  async renameKeyOwner(keyId: string, keyName: string): Promise<void> {
    await this.#guard('renameKeyOwner', () =>
      this.#db.updateTable('key_owners').set({ key_name: keyName }).where('key_id', '=', keyId).execute(),
    );
  }

  async setKeyOwnerRole(keyId: string, roleId: string): Promise<void> {
    await this.#guard('setKeyOwnerRole', () =>
      this.#db.updateTable('key_owners').set({ role_id: roleId }).where('key_id', '=', keyId).execute(),
    );
  }

  async setApprovedUntil(keyId: string, approvedUntil: Date | 'never'): Promise<void> {
    await this.#guard('setApprovedUntil', () =>
      this.#db
        .updateTable('key_owners')
        .set(approvedColumns(this.#dialect, approvedUntil))
        .where('key_id', '=', keyId)
        .execute(),
    );
  }

  async markLeaked(keyId: string, mark: LeakMark): Promise<boolean> {
    return this.#guard('markLeaked', async () => {
      const row = await this.#db
        .updateTable('key_owners')
        .set({ leak_at: this.#time(mark.at), leak_source: mark.source })
        .where('key_id', '=', keyId)
        .where('leak_at', 'is', null)
        .returning('key_id')
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  async liftLeak(keyId: string): Promise<boolean> {
    return this.#guard('liftLeak', async () => {
      const row = await this.#db
        .updateTable('key_owners')
        .set({ leak_at: null, leak_source: null })
        .where('key_id', '=', keyId)
        .where('leak_at', 'is not', null)
        .returning('key_id')
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  async recordPerson(
    userId: string,
    status: PersonRecord['status'],
    at: Date,
  ): Promise<{ person: PersonRecord; changed: boolean }> {
    return this.#guard('recordPerson', async () => {
      // Insert-if-absent, or change the status when it differs: the upsert's WHERE is re-checked
      // on the newest row when two callers race, so one change is seen by exactly one of them.
      const changed = await this.#db
        .insertInto('people')
        .values({
          user_id: userId,
          status,
          changed_at: this.#time(at),
          deactivations: status === 'deactivated' ? 1 : 0,
        })
        .onConflict((oc) =>
          oc
            .column('user_id')
            .doUpdateSet((eb) => ({
              status: eb.ref('excluded.status'),
              changed_at: eb.ref('excluded.changed_at'),
              deactivations: eb('people.deactivations', '+', eb.ref('excluded.deactivations')),
            }))
            .where((eb) => eb('people.status', '<>', eb.ref('excluded.status'))),
        )
        .returningAll()
        .executeTakeFirst();
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
      const row = await this.#db
        .insertInto('retirements')
        .values({
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
        })
        .onConflict((oc) => oc.column('key_id').doNothing())
        .returningAll()
        .executeTakeFirst();
      return row ? retirementFromRow(this.#dialect, row) : null;
    });
  }

  async getRetirement(keyId: string): Promise<Retirement | null> {
    return this.#guard('getRetirement', async () => {
      const row = await this.#db
        .selectFrom('retirements')
        .selectAll()
        .where('key_id', '=', keyId)
        .executeTakeFirst();
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
      const row = await this.#db
        .updateTable('retirements')
        .set({ stage: step.to, updated_at: this.#time(step.at) })
        .where('key_id', '=', step.keyId)
        .where('stage', '=', step.from)
        .returningAll()
        .executeTakeFirst();
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
          const head = chainHeadFromRow(
            await this.#dialect
              .locked(trx.selectFrom('audit_chain').selectAll().where('id', '=', 1))
              .executeTakeFirst(),
          );
          const seq = (head.headSeq ?? 0) + 1;
          const hash = eventHash({ ...fields, seq, prevHash: head.headHash });
          const row = await trx
            .insertInto('audit_events')
            .values({
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
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          await trx
            .updateTable('audit_chain')
            .set({ head_seq: seq, head_hash: hash })
            .where('id', '=', 1)
            .execute();
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
        const rows = await trx.selectFrom('audit_events').selectAll().orderBy('seq').execute();
        return { head, events: rows.map((row) => auditFromRow(this.#dialect, row)) };
      }),
    );
  }

  async getWatchState(name: string): Promise<string | null> {
    return this.#guard('getWatchState', async () => {
      const row = await this.#db
        .selectFrom('watch_state')
        .select('value')
        .where('name', '=', name)
        .executeTakeFirst();
      return row?.value ?? null;
    });
  }

  async putWatchState(name: string, value: string, at: Date): Promise<void> {
    await this.#guard('putWatchState', () =>
      this.#db
        .insertInto('watch_state')
        .values({ name, value, updated_at: this.#time(at) })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute(),
    );
  }

  async claimActivity(activityId: string, at: Date): Promise<boolean> {
    return this.#guard('claimActivity', async () => {
      const row = await this.#db
        .insertInto('watch_seen')
        .values({ activity_id: activityId, seen_at: this.#time(at) })
        .onConflict((oc) => oc.doNothing())
        .returning('activity_id')
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  async putMessageRef(ref: MessageRef): Promise<void> {
    await this.#guard('putMessageRef', () =>
      this.#db
        .insertInto('message_refs')
        .values({ request_id: ref.requestId, kind: ref.kind, channel: ref.channel, ts: ref.ts })
        .onConflict((oc) =>
          oc
            .columns(['request_id', 'kind'])
            .doUpdateSet((eb) => ({ channel: eb.ref('excluded.channel'), ts: eb.ref('excluded.ts') })),
        )
        .execute(),
    );
  }

  async getMessageRefs(requestId: string): Promise<MessageRef[]> {
    return this.#guard('getMessageRefs', async () => {
      const rows = await this.#db
        .selectFrom('message_refs')
        .selectAll()
        .where('request_id', '=', requestId)
        .orderBy('kind')
        .execute();
      return rows.map(messageRefFromRow);
    });
  }

  async tryLease(name: string, holder: string, ttlMs: number, at: Date): Promise<boolean> {
    return this.#guard('tryLease', async () => {
      const now = this.#time(at);
      // The upsert's WHERE makes a live lease held by someone else a no-op: no row comes back.
      const row = await this.#db
        .insertInto('leases')
        .values({ name, holder, expires_at: this.#time(new Date(at.getTime() + ttlMs)) })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet((eb) => ({
              holder: eb.ref('excluded.holder'),
              expires_at: eb.ref('excluded.expires_at'),
            }))
            .where((eb) =>
              eb.or([
                eb('leases.expires_at', '<=', now),
                eb('leases.holder', '=', eb.ref('excluded.holder')),
              ]),
            ),
        )
        .returning('holder')
        .executeTakeFirst();
      return row?.holder === holder;
    });
  }

  async claimTimer(claim: TimerClaim): Promise<TimerMark | null> {
    return this.#guard('claimTimer', async () => {
      // Never early: a claim before its due time takes nothing.
      if (claim.dueAt.getTime() > claim.at.getTime()) return null;
      const abandonedBefore = claim.abandonedBefore ? this.#time(claim.abandonedBefore) : null;
      // Insert-if-absent; the upsert's WHERE (re-checked on the newest row version when two race)
      // takes back only a failed mark with attempts left, or an abandoned claim of work that may
      // be done twice.
      const row = await this.#db
        .insertInto('timer_marks')
        .values({
          rule: claim.rule,
          subject: claim.subject,
          threshold: claim.threshold,
          state: 'claimed',
          holder: claim.holder,
          attempts: 1,
          due_at: this.#time(claim.dueAt),
          claimed_at: this.#time(claim.at),
          detail: jsonText('detail', claim.detail),
        })
        .onConflict((oc) =>
          oc
            .columns(['rule', 'subject', 'threshold'])
            .doUpdateSet((eb) => ({
              state: 'claimed',
              holder: eb.ref('excluded.holder'),
              attempts: eb('timer_marks.attempts', '+', 1),
              claimed_at: eb.ref('excluded.claimed_at'),
              settled_at: null,
              detail: eb.ref('excluded.detail'),
            }))
            .where((eb) =>
              eb.and([
                eb('timer_marks.attempts', '<', claim.maxAttempts ?? 1),
                eb.or([
                  eb('timer_marks.state', '=', 'failed'),
                  ...(abandonedBefore === null
                    ? []
                    : [
                        eb.and([
                          eb('timer_marks.state', '=', 'claimed'),
                          eb('timer_marks.claimed_at', '<=', abandonedBefore),
                        ]),
                      ]),
                ]),
              ]),
            ),
        )
        .returningAll()
        .executeTakeFirst();
      return row ? timerMarkFromRow(this.#dialect, row) : null;
    });
  }

  async settleTimer(settle: TimerSettle): Promise<boolean> {
    return this.#guard('settleTimer', async () => {
      const row = await this.#db
        .updateTable('timer_marks')
        .set({
          state: settle.state,
          settled_at: this.#time(settle.at),
          ...(settle.detail !== undefined && { detail: jsonText('detail', settle.detail) }),
        })
        .where('rule', '=', settle.rule)
        .where('subject', '=', settle.subject)
        .where('threshold', '=', settle.threshold)
        .where('holder', '=', settle.holder)
        .where('state', '=', 'claimed')
        .returning('rule')
        .executeTakeFirst();
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

  #time(date: Date): Timestamp {
    return this.#dialect.time(date);
  }

  async #getRequest(db: Kysely<Tables>, id: string, lock = false): Promise<KeyRequest | null> {
    const query = db.selectFrom('requests').selectAll().where('id', '=', id);
    // Locked, decisions on one request queue until the transaction ends.
    const row = await (lock ? this.#dialect.locked(query) : query).executeTakeFirst();
    return row ? requestFromRow(this.#dialect, row) : null;
  }

  async #approvals(db: Kysely<Tables>, requestId: string): Promise<Decision[]> {
    const rows = await db
      .selectFrom('decisions')
      .selectAll()
      .where('request_id', '=', requestId)
      .where('decision', '=', 'approve')
      .orderBy('id')
      .execute();
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
    const row = await db
      .insertInto('decisions')
      .values({ request_id: requestId, user_id: userId, decision, reason, at: this.#time(at) })
      .onConflict((oc) => oc.columns(['request_id', 'user_id', 'decision']).doNothing())
      .returning('id')
      .executeTakeFirst();
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
    const row = await db
      .updateTable('requests')
      .set({
        state,
        deadline: deadline ? this.#time(deadline) : null,
        decided_at: this.#time(at),
        updated_at: this.#time(at),
      })
      .where('id', '=', requestId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return requestFromRow(this.#dialect, row);
  }

  async #getPerson(userId: string): Promise<PersonRecord | null> {
    const row = await this.#db
      .selectFrom('people')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
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
    return chainHeadFromRow(
      await db.selectFrom('audit_chain').selectAll().where('id', '=', 1).executeTakeFirst(),
    );
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
