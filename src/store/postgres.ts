/**
 * The PostgreSQL store (`pg` Pool), for one or several replicas sharing a database. Compare-and-set
 * is a single conditional `UPDATE … RETURNING`, which PostgreSQL re-checks against the newest row
 * version when two of them race, so exactly one wins; approval counting locks the request row
 * (`SELECT … FOR UPDATE`) for the length of its transaction.
 */
import pg from 'pg';
import { type Logger, pino } from 'pino';
import { eventHash } from '../core/audit-chain.js';
import { KeyhouseError, type KeyhouseErrorCode } from '../core/errors.js';
import type {
  ApprovalArgs,
  ApprovalResult,
  AuditChainHead,
  AuditEvent,
  AuditFilter,
  AuditInput,
  Decision,
  DenialArgs,
  DenialResult,
  KeyOwner,
  KeyRequest,
  MessageRef,
  NewRequest,
  NewRetirement,
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
import { type Migration, postgresMigrations } from './migrations.js';
import {
  type AuditChainRow,
  type AuditRow,
  auditFromRow,
  bareSuffix,
  chainFields,
  chainHeadFromRow,
  checkLimit,
  countsByState,
  type DecisionRow,
  decisionFromRow,
  decisionTarget,
  fromStates,
  type KeyOwnerRow,
  keyOwnerFromRow,
  type MessageRefRow,
  messageRefFromRow,
  oldestPerFingerprint,
  patchEntries,
  type RequestRow,
  type RetirementRow,
  requestFromRow,
  retirementFromRow,
  storeError,
  type TimerMarkRow,
  timerMarkFromRow,
} from './rows.js';

export interface PostgresStoreOptions {
  logger?: Logger;
  /** Schema holding Keyhouse's tables (created by `migrate()` when missing). Default `public`. */
  schema?: string;
  /** Most connections the pool opens. Default 10. */
  maxConnections?: number;
  /** The migrations to apply; defaults to Keyhouse's own (tests may pass a longer list). */
  migrations?: readonly Migration[];
}

/** Something that runs a query: the pool, or one client inside a transaction. */
type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const SQL = {
  insertRequest: `INSERT INTO requests (id, kind, requester_id, key_name, role_id, expiry, reason, ip_access_list,
      approvals_required, state, created_at, updated_at, deadline, decided_at, key_id, key_suffix, change, rotation)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $11, $12, $13, $14, $15, $16::jsonb, $17::jsonb)
    RETURNING *`,
  getRequest: 'SELECT * FROM requests WHERE id = $1',
  lockRequest: 'SELECT * FROM requests WHERE id = $1 FOR UPDATE',
  insertDecision: `INSERT INTO decisions (request_id, user_id, decision, reason, at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (request_id, user_id, decision) DO NOTHING RETURNING id`,
  listApprovals: "SELECT * FROM decisions WHERE request_id = $1 AND decision = 'approve' ORDER BY id",
  listDecisions: 'SELECT * FROM decisions WHERE request_id = $1 ORDER BY id',
  decide: `UPDATE requests SET state = $1, deadline = $2, decided_at = $3, updated_at = $3 WHERE id = $4
    RETURNING *`,
  putKeyOwner: `INSERT INTO key_owners (key_id, owner_id, request_id, key_name, key_suffix, created_at, role_id,
      fingerprint)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (key_id) DO UPDATE SET owner_id = excluded.owner_id, request_id = excluded.request_id,
      key_name = excluded.key_name, key_suffix = excluded.key_suffix, created_at = excluded.created_at,
      role_id = excluded.role_id, fingerprint = COALESCE(excluded.fingerprint, key_owners.fingerprint)`,
  findKeyOwnerByFingerprint: 'SELECT * FROM key_owners WHERE fingerprint = $1 ORDER BY created_at LIMIT 1',
  findKeyOwnersByFingerprints:
    'SELECT * FROM key_owners WHERE fingerprint = ANY($1::text[]) ORDER BY created_at, key_id',
  getKeyOwner: 'SELECT * FROM key_owners WHERE key_id = $1',
  listKeyOwners: 'SELECT * FROM key_owners ORDER BY created_at, key_id',
  listKeyOwnersOf: 'SELECT * FROM key_owners WHERE owner_id = $1 ORDER BY created_at, key_id',
  deleteKeyOwner: 'DELETE FROM key_owners WHERE key_id = $1',
  renameKeyOwner: 'UPDATE key_owners SET key_name = $2 WHERE key_id = $1',
  putRetirement: `INSERT INTO retirements (key_id, key_name, key_suffix, owner_id, request_id, successor_key_id,
      successor_suffix, retire_at, stage, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'retiring', $9)
    ON CONFLICT (key_id) DO NOTHING RETURNING *`,
  getRetirement: 'SELECT * FROM retirements WHERE key_id = $1',
  advanceRetirement:
    'UPDATE retirements SET stage = $1, updated_at = $2 WHERE key_id = $3 AND stage = $4 RETURNING *',
  setKeyOwnerRole: 'UPDATE key_owners SET role_id = $2 WHERE key_id = $1',
  appendAudit: `INSERT INTO audit_events (at, actor_id, action, outcome, request_id, key_id, key_name, key_suffix,
      upstream_request_id, detail, prev_hash, hash)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12) RETURNING *`,
  chainHead: 'SELECT * FROM audit_chain WHERE id = 1',
  lockChainHead: 'SELECT * FROM audit_chain WHERE id = 1 FOR UPDATE',
  moveChainHead: 'UPDATE audit_chain SET head_seq = $1, head_hash = $2 WHERE id = 1',
  getWatchState: 'SELECT value FROM watch_state WHERE name = $1',
  putWatchState: `INSERT INTO watch_state (name, value, updated_at) VALUES ($1, $2, $3)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  claimActivity: 'INSERT INTO watch_seen (activity_id, seen_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
  claimActivities: `INSERT INTO watch_seen (activity_id, seen_at) SELECT id, $2::timestamptz FROM unnest($1::text[]) AS id
    ON CONFLICT DO NOTHING RETURNING activity_id`,
  putMessageRef: `INSERT INTO message_refs (request_id, kind, channel, ts) VALUES ($1, $2, $3, $4)
    ON CONFLICT (request_id, kind) DO UPDATE SET channel = excluded.channel, ts = excluded.ts`,
  getMessageRefs: 'SELECT * FROM message_refs WHERE request_id = $1 ORDER BY kind',
  // The upsert's WHERE makes a live lease held by someone else a no-op: no row comes back.
  tryLease: `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE leases.expires_at <= $4 OR leases.holder = excluded.holder
    RETURNING holder`,
  // Insert-if-absent; the upsert's WHERE (re-checked on the newest row version when two race)
  // takes back only a failed mark with attempts left, or an abandoned claim of work that may be
  // done twice.
  claimTimer: `INSERT INTO timer_marks (rule, subject, threshold, state, holder, attempts, due_at, claimed_at, detail)
    VALUES ($1, $2, $3, 'claimed', $4, 1, $5, $6, $7::jsonb)
    ON CONFLICT (rule, subject, threshold) DO UPDATE SET state = 'claimed', holder = excluded.holder,
      attempts = timer_marks.attempts + 1, claimed_at = excluded.claimed_at, settled_at = NULL,
      detail = excluded.detail
      WHERE (timer_marks.state = 'failed' OR (timer_marks.state = 'claimed' AND timer_marks.claimed_at <= $9))
        AND timer_marks.attempts < $8
    RETURNING *`,
  settleTimer: `UPDATE timer_marks SET state = $1, settled_at = $2,
      detail = CASE WHEN $3::boolean THEN $4::jsonb ELSE detail END
    WHERE rule = $5 AND subject = $6 AND threshold = $7 AND holder = $8 AND state = 'claimed'`,
} as const;

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** A Keyhouse store in a PostgreSQL schema, shared safely by any number of replicas. */
export class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  readonly #logger: Logger;
  readonly #schema: string;
  readonly #migrations: readonly Migration[];
  #closed = false;

  constructor(connectionString: string, options: PostgresStoreOptions = {}) {
    const schema = options.schema ?? 'public';
    // The name goes into SQL and a startup parameter unquoted, so only plain identifiers pass.
    if (!SCHEMA_NAME.test(schema)) {
      throw new KeyhouseError('config_invalid', 'PostgreSQL schema must be a plain lower-case identifier');
    }
    this.#schema = schema;
    this.#migrations = options.migrations ?? postgresMigrations;
    this.#logger = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'store',
      backend: 'postgres',
    });
    this.#pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 10,
      // Set at connection start-up, so every pooled connection resolves tables in our schema.
      options: `-c search_path=${schema}`,
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.#pool.on('error', (error) => {
      this.#logger.warn({ code: (error as { code?: unknown }).code }, 'idle database connection failed');
    });
  }

  async migrate(): Promise<void> {
    await this.#guard('migrate', () =>
      this.#inTransaction(async (client) => {
        // Replicas starting together queue here; the first applies, the others find nothing to do.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `keyhouse:migrate:${this.#schema}`,
        ]);
        // Checked before creating: CREATE SCHEMA needs a privilege a locked-down user may lack
        // even when the schema (such as `public`) already exists.
        const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.#schema]);
        if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${this.#schema}`);
        await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
        const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
        const applied = new Set(rows.map((row) => row.version));
        for (const migration of this.#migrations) {
          if (applied.has(migration.version)) continue;
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
            migration.version,
            migration.name,
          ]);
          this.#logger.info({ version: migration.version, migration: migration.name }, 'migration applied');
        }
        const latest = Math.max(0, ...this.#migrations.map((m) => m.version));
        if (rows.some((row) => row.version > latest)) {
          this.#logger.warn({ latest }, 'database has migrations newer than this build');
        }
      }),
    );
  }

  async ping(): Promise<void> {
    await this.#guard('ping', () => this.#pool.query('SELECT 1'));
  }

  async countRequestsByState(): Promise<Record<RequestState, number>> {
    return this.#guard('countRequestsByState', async () => {
      const { rows } = await this.#pool.query<{ state: string; n: string }>(
        'SELECT state, COUNT(*) AS n FROM requests GROUP BY state',
      );
      return countsByState(rows.map((row) => ({ state: row.state, n: Number(row.n) })));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async createRequest(input: NewRequest): Promise<KeyRequest> {
    return this.#guard(
      'createRequest',
      async () => {
        const { rows } = await this.#pool.query<RequestRow>(SQL.insertRequest, [
          input.id,
          input.kind,
          input.requesterId,
          input.keyName,
          input.roleId,
          input.expiry,
          input.reason,
          json(input.ipAccessList),
          input.approvalsRequired,
          input.state,
          input.createdAt,
          input.deadline,
          // Approved on submission (a role needing no approval): the policy decided then.
          input.state === 'approved' ? input.createdAt : null,
          input.keyId ?? null,
          input.keySuffix ?? null,
          json(input.change),
          json(input.rotation),
        ]);
        return requestFromRow(rows[0]!);
      },
      (error) => (isUniqueViolation(error) ? 'conflict' : 'internal'),
    );
  }

  async getRequest(id: string): Promise<KeyRequest | null> {
    return this.#guard('getRequest', () => this.#getRequest(this.#pool, id));
  }

  async listRequests(filter: RequestFilter): Promise<KeyRequest[]> {
    return this.#guard('listRequests', async () => {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown): string => `$${params.push(value)}`;
      if (filter.states) where.push(`state = ANY(${param([...filter.states])}::text[])`);
      if (filter.requesterId !== undefined) where.push(`requester_id = ${param(filter.requesterId)}`);
      if (filter.kind !== undefined) where.push(`kind = ${param(filter.kind)}`);
      if (filter.deadlineBefore !== undefined) where.push(`deadline <= ${param(filter.deadlineBefore)}`);
      const limit = checkLimit(filter.limit);
      const sql = `SELECT * FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at, id ${limit === undefined ? '' : `LIMIT ${param(limit)}`}`;
      const { rows } = await this.#pool.query<RequestRow>(sql, params);
      return rows.map(requestFromRow);
    });
  }

  async transition(args: TransitionArgs): Promise<KeyRequest | null> {
    return this.#guard('transition', async () => {
      const params: unknown[] = [];
      const param = (value: unknown): string => `$${params.push(value)}`;
      const at = param(args.at);
      const assignments = [`state = ${param(args.to)}`, `updated_at = ${at}`];
      for (const [column, value] of patchEntries(args.set)) assignments.push(`${column} = ${param(value)}`);
      const where = [`id = ${param(args.id)}`, `state = ANY(${param(fromStates(args.from))}::text[])`];
      if (args.withinDeadline) where.push(`(deadline IS NULL OR deadline > ${at})`);
      if (args.attemptId !== undefined) where.push(`attempt_id = ${param(args.attemptId)}`);
      const sql = `UPDATE requests SET ${assignments.join(', ')} WHERE ${where.join(' AND ')} RETURNING *`;
      const { rows } = await this.#pool.query<RequestRow>(sql, params);
      return rows[0] ? requestFromRow(rows[0]) : null;
    });
  }

  async recordApproval(args: ApprovalArgs): Promise<ApprovalResult> {
    return this.#guard('recordApproval', () =>
      this.#inTransaction(async (client): Promise<ApprovalResult> => {
        const current = decisionTarget(await this.#lockRequest(client, args.requestId), args.at);
        if (!current.pending) {
          const approvals = await this.#approvals(client, args.requestId);
          return { outcome: 'not_pending', request: current.request, approvals };
        }
        const inserted = await client.query(SQL.insertDecision, [
          args.requestId,
          args.userId,
          'approve',
          null,
          args.at,
        ]);
        const approvals = await this.#approvals(client, args.requestId);
        if (inserted.rowCount === 0) return { outcome: 'duplicate', request: current.request, approvals };
        if (approvals.length < current.request.approvalsRequired) {
          return { outcome: 'recorded', request: current.request, approvals };
        }
        const { rows } = await client.query<RequestRow>(SQL.decide, [
          'approved',
          args.approvedDeadline,
          args.at,
          args.requestId,
        ]);
        return { outcome: 'approved', request: requestFromRow(rows[0]!), approvals };
      }),
    );
  }

  async recordDenial(args: DenialArgs): Promise<DenialResult> {
    return this.#guard('recordDenial', () =>
      this.#inTransaction(async (client): Promise<DenialResult> => {
        const current = decisionTarget(await this.#lockRequest(client, args.requestId), args.at);
        if (!current.pending) return { outcome: 'not_pending', request: current.request };
        await client.query(SQL.insertDecision, [args.requestId, args.userId, 'deny', args.reason, args.at]);
        // A settled request has no deadline: nothing lapses any more.
        const { rows } = await client.query<RequestRow>(SQL.decide, [
          'denied',
          null,
          args.at,
          args.requestId,
        ]);
        return { outcome: 'denied', request: requestFromRow(rows[0]!) };
      }),
    );
  }

  async listDecisions(requestId: string): Promise<Decision[]> {
    return this.#guard('listDecisions', async () => {
      const { rows } = await this.#pool.query<DecisionRow>(SQL.listDecisions, [requestId]);
      return rows.map(decisionFromRow);
    });
  }

  async putKeyOwner(owner: KeyOwner): Promise<void> {
    await this.#guard('putKeyOwner', () =>
      this.#pool.query(SQL.putKeyOwner, [
        owner.keyId,
        owner.ownerId,
        owner.requestId,
        owner.keyName,
        owner.keySuffix,
        owner.createdAt,
        owner.roleId ?? null,
        owner.fingerprint ?? null,
      ]),
    );
  }

  async findKeyOwnerByFingerprint(fingerprint: string): Promise<KeyOwner | null> {
    return this.#guard('findKeyOwnerByFingerprint', async () => {
      const { rows } = await this.#pool.query<KeyOwnerRow>(SQL.findKeyOwnerByFingerprint, [fingerprint]);
      return rows[0] ? keyOwnerFromRow(rows[0]) : null;
    });
  }

  async findKeyOwnersByFingerprints(fingerprints: readonly string[]): Promise<KeyOwner[]> {
    if (fingerprints.length === 0) return [];
    return this.#guard('findKeyOwnersByFingerprints', async () => {
      const { rows } = await this.#pool.query<KeyOwnerRow>(SQL.findKeyOwnersByFingerprints, [fingerprints]);
      return oldestPerFingerprint(rows);
    });
  }

  async getKeyOwner(keyId: string): Promise<KeyOwner | null> {
    return this.#guard('getKeyOwner', async () => {
      const { rows } = await this.#pool.query<KeyOwnerRow>(SQL.getKeyOwner, [keyId]);
      return rows[0] ? keyOwnerFromRow(rows[0]) : null;
    });
  }

  async listKeyOwners(ownerId?: string): Promise<KeyOwner[]> {
    return this.#guard('listKeyOwners', async () => {
      const { rows } =
        ownerId === undefined
          ? await this.#pool.query<KeyOwnerRow>(SQL.listKeyOwners)
          : await this.#pool.query<KeyOwnerRow>(SQL.listKeyOwnersOf, [ownerId]);
      return rows.map(keyOwnerFromRow);
    });
  }

  async deleteKeyOwner(keyId: string): Promise<void> {
    await this.#guard('deleteKeyOwner', () => this.#pool.query(SQL.deleteKeyOwner, [keyId]));
  }

  async renameKeyOwner(keyId: string, keyName: string): Promise<void> {
    await this.#guard('renameKeyOwner', () => this.#pool.query(SQL.renameKeyOwner, [keyId, keyName]));
  }

  async putRetirement(input: NewRetirement): Promise<Retirement | null> {
    return this.#guard('putRetirement', async () => {
      const { rows } = await this.#pool.query<RetirementRow>(SQL.putRetirement, [
        input.keyId,
        input.keyName,
        input.keySuffix,
        input.ownerId,
        input.requestId,
        input.successorKeyId,
        input.successorSuffix,
        input.retireAt,
        input.at,
      ]);
      return rows[0] ? retirementFromRow(rows[0]) : null;
    });
  }

  async getRetirement(keyId: string): Promise<Retirement | null> {
    return this.#guard('getRetirement', async () => {
      const { rows } = await this.#pool.query<RetirementRow>(SQL.getRetirement, [keyId]);
      return rows[0] ? retirementFromRow(rows[0]) : null;
    });
  }

  async listRetirements(filter: RetirementFilter = {}): Promise<Retirement[]> {
    return this.#guard('listRetirements', async () => {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown): string => `$${params.push(value)}`;
      if (filter.stages) where.push(`stage = ANY(${param([...filter.stages])}::text[])`);
      if (filter.retireBefore !== undefined) where.push(`retire_at <= ${param(filter.retireBefore)}`);
      const sql = `SELECT * FROM retirements ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY retire_at, key_id`;
      const { rows } = await this.#pool.query<RetirementRow>(sql, params);
      return rows.map(retirementFromRow);
    });
  }

  async advanceRetirement(step: RetirementStep): Promise<Retirement | null> {
    return this.#guard('advanceRetirement', async () => {
      const { rows } = await this.#pool.query<RetirementRow>(SQL.advanceRetirement, [
        step.to,
        step.at,
        step.keyId,
        step.from,
      ]);
      return rows[0] ? retirementFromRow(rows[0]) : null;
    });
  }

  async setKeyOwnerRole(keyId: string, roleId: string): Promise<void> {
    await this.#guard('setKeyOwnerRole', () => this.#pool.query(SQL.setKeyOwnerRole, [keyId, roleId]));
  }

  async appendAudit(event: AuditInput): Promise<AuditEvent> {
    return this.#guard(
      'appendAudit',
      // The head row stays locked until this transaction commits: replicas appending at once
      // queue here, and each links its event to the one committed just before it.
      () =>
        this.#inTransaction(async (client) => {
          const locked = await client.query<AuditChainRow>(SQL.lockChainHead);
          const head = chainHeadFromRow(locked.rows[0]);
          const at = new Date(event.at.getTime());
          const fields = chainFields(event, at, head.headHash);
          const hash = eventHash(fields);
          const { rows } = await client.query<AuditRow>(SQL.appendAudit, [
            at,
            fields.actorId,
            fields.action,
            fields.outcome,
            fields.requestId,
            fields.keyId,
            fields.keyName,
            fields.keySuffix,
            fields.upstreamRequestId,
            json(fields.detail),
            fields.prevHash,
            hash,
          ]);
          const row = rows[0]!;
          await client.query(SQL.moveChainHead, [row.seq, hash]);
          return auditFromRow(row);
        }),
      () => 'audit_failed',
    );
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return this.#guard('listAudit', async () => {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown): string => `$${params.push(value)}`;
      if (filter.requestId !== undefined) where.push(`request_id = ${param(filter.requestId)}`);
      if (filter.keyId !== undefined) where.push(`key_id = ${param(filter.keyId)}`);
      if (filter.key !== undefined) {
        const name = param(filter.key);
        const suffix = param(bareSuffix(filter.key));
        where.push(`(key_name = ${name} OR key_suffix = ${suffix}
          OR request_id IN (SELECT id FROM requests WHERE key_name = ${name} OR key_suffix = ${suffix}))`);
      }
      if (filter.user !== undefined) {
        const user = param(filter.user);
        where.push(`(actor_id = ${user} OR request_id IN (SELECT id FROM requests WHERE requester_id = ${user})
          OR key_id IN (SELECT key_id FROM key_owners WHERE owner_id = ${user}))`);
      }
      if (filter.since !== undefined) where.push(`at >= ${param(filter.since)}`);
      if (filter.until !== undefined) where.push(`at < ${param(filter.until)}`);
      const limit = checkLimit(filter.limit);
      const sql = `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq ${filter.newest ? 'DESC' : 'ASC'} ${limit === undefined ? '' : `LIMIT ${param(limit)}`}`;
      const { rows } = await this.#pool.query<AuditRow>(sql, params);
      const events = rows.map(auditFromRow);
      return filter.newest ? events.reverse() : events;
    });
  }

  async auditChainHead(): Promise<AuditChainHead> {
    return this.#guard('auditChainHead', async () => {
      const { rows } = await this.#pool.query<AuditChainRow>(SQL.chainHead);
      return chainHeadFromRow(rows[0]);
    });
  }

  async getWatchState(name: string): Promise<string | null> {
    return this.#guard('getWatchState', async () => {
      const { rows } = await this.#pool.query<{ value: string }>(SQL.getWatchState, [name]);
      return rows[0]?.value ?? null;
    });
  }

  async putWatchState(name: string, value: string, at: Date): Promise<void> {
    await this.#guard('putWatchState', () => this.#pool.query(SQL.putWatchState, [name, value, at]));
  }

  async claimActivity(activityId: string, at: Date): Promise<boolean> {
    return this.#guard('claimActivity', async () => {
      const result = await this.#pool.query(SQL.claimActivity, [activityId, at]);
      return result.rowCount === 1;
    });
  }

  async claimActivities(activityIds: readonly string[], at: Date): Promise<string[]> {
    if (activityIds.length === 0) return [];
    return this.#guard('claimActivities', async () => {
      const { rows } = await this.#pool.query<{ activity_id: string }>(SQL.claimActivities, [
        [...new Set(activityIds)],
        at,
      ]);
      return rows.map((row) => row.activity_id);
    });
  }

  async putMessageRef(ref: MessageRef): Promise<void> {
    await this.#guard('putMessageRef', () =>
      this.#pool.query(SQL.putMessageRef, [ref.requestId, ref.kind, ref.channel, ref.ts]),
    );
  }

  async getMessageRefs(requestId: string): Promise<MessageRef[]> {
    return this.#guard('getMessageRefs', async () => {
      const { rows } = await this.#pool.query<MessageRefRow>(SQL.getMessageRefs, [requestId]);
      return rows.map(messageRefFromRow);
    });
  }

  async tryLease(name: string, holder: string, ttlMs: number, at: Date): Promise<boolean> {
    return this.#guard('tryLease', async () => {
      const expiresAt = new Date(at.getTime() + ttlMs);
      const { rows } = await this.#pool.query<{ holder: string }>(SQL.tryLease, [
        name,
        holder,
        expiresAt,
        at,
      ]);
      return rows[0]?.holder === holder;
    });
  }

  async claimTimer(claim: TimerClaim): Promise<TimerMark | null> {
    return this.#guard('claimTimer', async () => {
      // Never early: a claim before its due time takes nothing.
      if (claim.dueAt.getTime() > claim.at.getTime()) return null;
      const { rows } = await this.#pool.query<TimerMarkRow>(SQL.claimTimer, [
        claim.rule,
        claim.subject,
        claim.threshold,
        claim.holder,
        claim.dueAt,
        claim.at,
        json(claim.detail),
        claim.maxAttempts ?? 1,
        claim.abandonedBefore ?? null,
      ]);
      return rows[0] ? timerMarkFromRow(rows[0]) : null;
    });
  }

  async settleTimer(settle: TimerSettle): Promise<boolean> {
    return this.#guard('settleTimer', async () => {
      const replace = settle.detail !== undefined;
      const result = await this.#pool.query(SQL.settleTimer, [
        settle.state,
        settle.at,
        replace,
        replace ? json(settle.detail) : null,
        settle.rule,
        settle.subject,
        settle.threshold,
        settle.holder,
      ]);
      return result.rowCount === 1;
    });
  }

  async listTimerMarks(filter: TimerMarkFilter = {}): Promise<TimerMark[]> {
    return this.#guard('listTimerMarks', async () => {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown): string => `$${params.push(value)}`;
      if (filter.rules) where.push(`rule = ANY(${param([...filter.rules])}::text[])`);
      if (filter.subjects) where.push(`subject = ANY(${param([...filter.subjects])}::text[])`);
      const sql = `SELECT * FROM timer_marks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY claimed_at, rule, subject, threshold`;
      const { rows } = await this.#pool.query<TimerMarkRow>(sql, params);
      return rows.map(timerMarkFromRow);
    });
  }

  async #getRequest(db: Queryable, id: string): Promise<KeyRequest | null> {
    const { rows } = await db.query<RequestRow>(SQL.getRequest, [id]);
    return rows[0] ? requestFromRow(rows[0]) : null;
  }

  /** Reads the request and locks its row until the transaction ends, so decisions on it queue. */
  async #lockRequest(client: pg.PoolClient, id: string): Promise<KeyRequest | null> {
    const { rows } = await client.query<RequestRow>(SQL.lockRequest, [id]);
    return rows[0] ? requestFromRow(rows[0]) : null;
  }

  async #approvals(db: Queryable, requestId: string): Promise<Decision[]> {
    const { rows } = await db.query<DecisionRow>(SQL.listApprovals, [requestId]);
    return rows.map(decisionFromRow);
  }

  async #inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // A connection that cannot roll back is in an unknown state: the pool must discard it.
        broken = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async #guard<T>(
    operation: string,
    work: () => Promise<T>,
    classify: (error: unknown) => KeyhouseErrorCode = () => 'internal',
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw storeError(operation, error, classify(error));
    }
  }
}
