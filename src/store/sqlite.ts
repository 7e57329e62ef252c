/**
 * The SQLite store (better-sqlite3): one file, WAL, for a single replica. The driver is
 * synchronous, so each method runs to completion before another starts in this process; every
 * compare-and-set and multi-step change still runs in a `BEGIN IMMEDIATE` transaction so that
 * another process (or a second connection) on the same file cannot interleave with it.
 */
import Database from 'better-sqlite3';
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
import { type Migration, sqliteMigrations } from './migrations.js';
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

export interface SqliteStoreOptions {
  logger?: Logger;
  /** How long to wait for another connection's write lock before failing, in ms. */
  busyTimeoutMs?: number;
  /** The migrations to apply; defaults to Keyhouse's own (tests may pass a longer list). */
  migrations?: readonly Migration[];
  /**
   * Hold `<filename>.lock` for as long as this store is open, and refuse to open when another
   * store holds it (in this process or another; the OS drops the lock when a process dies).
   */
  lock?: boolean;
}

type Param = string | number | null;

const SQL = {
  insertRequest: `INSERT INTO requests (id, kind, requester_id, key_name, role_id, expiry, reason, ip_access_list,
      approvals_required, state, created_at, updated_at, deadline, decided_at, key_id, key_suffix, change, rotation)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  getRequest: 'SELECT * FROM requests WHERE id = ?',
  insertDecision: `INSERT INTO decisions (request_id, user_id, decision, reason, at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (request_id, user_id, decision) DO NOTHING`,
  listApprovals: "SELECT * FROM decisions WHERE request_id = ? AND decision = 'approve' ORDER BY id",
  listDecisions: 'SELECT * FROM decisions WHERE request_id = ? ORDER BY id',
  decide: `UPDATE requests SET state = ?, deadline = ?, decided_at = ?, updated_at = ? WHERE id = ? RETURNING *`,
  putKeyOwner: `INSERT INTO key_owners (key_id, owner_id, request_id, key_name, key_suffix, created_at, role_id,
      fingerprint)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (key_id) DO UPDATE SET owner_id = excluded.owner_id, request_id = excluded.request_id,
      key_name = excluded.key_name, key_suffix = excluded.key_suffix, created_at = excluded.created_at,
      role_id = excluded.role_id, fingerprint = COALESCE(excluded.fingerprint, key_owners.fingerprint)`,
  findKeyOwnerByFingerprint: 'SELECT * FROM key_owners WHERE fingerprint = ? ORDER BY created_at LIMIT 1',
  // One JSON array parameter, whatever the number of fingerprints (no variable-count limit).
  findKeyOwnersByFingerprints: `SELECT * FROM key_owners WHERE fingerprint IN (SELECT value FROM json_each(?))
    ORDER BY created_at, key_id`,
  getKeyOwner: 'SELECT * FROM key_owners WHERE key_id = ?',
  changeStamp: 'SELECT total_changes(), data_version FROM pragma_data_version',
  listKeyOwners: 'SELECT * FROM key_owners ORDER BY created_at, key_id',
  listKeyOwnersOf: 'SELECT * FROM key_owners WHERE owner_id = ? ORDER BY created_at, key_id',
  deleteKeyOwner: 'DELETE FROM key_owners WHERE key_id = ?',
  renameKeyOwner: 'UPDATE key_owners SET key_name = ? WHERE key_id = ?',
  putRetirement: `INSERT INTO retirements (key_id, key_name, key_suffix, owner_id, request_id, successor_key_id,
      successor_suffix, retire_at, stage, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'retiring', ?)
    ON CONFLICT (key_id) DO NOTHING RETURNING *`,
  getRetirement: 'SELECT * FROM retirements WHERE key_id = ?',
  advanceRetirement:
    'UPDATE retirements SET stage = ?, updated_at = ? WHERE key_id = ? AND stage = ? RETURNING *',
  setKeyOwnerRole: 'UPDATE key_owners SET role_id = ? WHERE key_id = ?',
  appendAudit: `INSERT INTO audit_events (at, actor_id, action, outcome, request_id, key_id, key_name, key_suffix,
      upstream_request_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  chainHead: 'SELECT * FROM audit_chain WHERE id = 1',
  moveChainHead: 'UPDATE audit_chain SET head_seq = ?, head_hash = ? WHERE id = 1',
  getWatchState: 'SELECT value FROM watch_state WHERE name = ?',
  putWatchState: `INSERT INTO watch_state (name, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  claimActivity: 'INSERT INTO watch_seen (activity_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
  // `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the INSERT, not to a join.
  claimActivities: `INSERT INTO watch_seen (activity_id, seen_at) SELECT value, ? FROM json_each(?) WHERE true
    ON CONFLICT DO NOTHING RETURNING activity_id`,
  putMessageRef: `INSERT INTO message_refs (request_id, kind, channel, ts) VALUES (?, ?, ?, ?)
    ON CONFLICT (request_id, kind) DO UPDATE SET channel = excluded.channel, ts = excluded.ts`,
  getMessageRefs: 'SELECT * FROM message_refs WHERE request_id = ? ORDER BY kind',
  // The upsert's WHERE makes a live lease held by someone else a no-op: no row comes back.
  tryLease: `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE leases.expires_at <= ? OR leases.holder = excluded.holder
    RETURNING holder`,
  // Insert-if-absent; the upsert's WHERE takes back only a failed mark with attempts left, or an
  // abandoned claim of work that may be done twice.
  claimTimer: `INSERT INTO timer_marks (rule, subject, threshold, state, holder, attempts, due_at, claimed_at, detail)
    VALUES (?, ?, ?, 'claimed', ?, 1, ?, ?, ?)
    ON CONFLICT (rule, subject, threshold) DO UPDATE SET state = 'claimed', holder = excluded.holder,
      attempts = timer_marks.attempts + 1, claimed_at = excluded.claimed_at, settled_at = NULL,
      detail = excluded.detail
      WHERE (timer_marks.state = 'failed' OR (timer_marks.state = 'claimed' AND timer_marks.claimed_at <= ?))
        AND timer_marks.attempts < ?
    RETURNING *`,
  settleTimer: `UPDATE timer_marks SET state = ?, settled_at = ?, detail = CASE WHEN ? = 1 THEN ? ELSE detail END
    WHERE rule = ? AND subject = ? AND threshold = ? AND holder = ? AND state = 'claimed'`,
} as const;

function ms(date: Date): number {
  return date.getTime();
}

function msOrNull(date: Date | null | undefined): number | null {
  return date ? date.getTime() : null;
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function driverCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

function cannotOpen(filename: string, error: unknown): KeyhouseError {
  return new KeyhouseError(
    'config_invalid',
    `cannot open the SQLite file ${filename} (${driverCode(error)}); is its directory writable by this user?`,
    { cause: error },
  );
}

/**
 * One process per SQLite file: a companion `<file>.lock` database in exclusive locking mode, whose
 * write lock is taken at once and kept until the connection closes. SQLite's locks are POSIX
 * advisory locks, which the OS releases when the process dies, so a crash never blocks the restart;
 * within one process SQLite tracks them per file, so a second store on the same file is refused too.
 */
function holdLock(filename: string): Database.Database {
  const lockFile = `${filename}.lock`;
  let lock: Database.Database;
  try {
    lock = new Database(lockFile, { timeout: 0 });
  } catch (error) {
    throw cannotOpen(lockFile, error);
  }
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    // Nothing in it needs rolling back, and no journal file is left beside it.
    lock.pragma('journal_mode = MEMORY');
    lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)');
    lock.exec('BEGIN EXCLUSIVE');
    lock.exec('DELETE FROM holder');
    lock.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    lock.exec('COMMIT');
    return lock;
  } catch (error) {
    lock.close();
    const code = driverCode(error);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new KeyhouseError(
        'conflict',
        `another Keyhouse process is using the SQLite file ${filename} (it holds ${lockFile}); ` +
          'one process per SQLite file: stop the other one, or use PostgreSQL for replicas',
      );
    }
    throw cannotOpen(lockFile, error);
  }
}

/** A Keyhouse store in one SQLite file (`:memory:` for a private in-memory database). */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #logger: Logger;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #transaction: Database.Transaction<(work: () => unknown) => unknown>;
  readonly #migrations: readonly Migration[];
  readonly #lock: Database.Database | null;
  /** Lists read since the database last changed, by query (see `#unchanged`). */
  readonly #held = new Map<string, readonly unknown[]>();
  #heldStamp = '';

  constructor(filename: string, options: SqliteStoreOptions = {}) {
    this.#logger = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'store',
      backend: 'sqlite',
    });
    this.#migrations = options.migrations ?? sqliteMigrations;
    this.#lock = options.lock && filename !== ':memory:' ? holdLock(filename) : null;
    try {
      this.#db = new Database(filename);
    } catch (error) {
      this.#lock?.close();
      throw cannotOpen(filename, error);
    }
    try {
      // Readers never block the writer in WAL; NORMAL is durable there except on power loss.
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
      this.#db.pragma('foreign_keys = ON');
      this.#db.pragma('synchronous = NORMAL');
    } catch (error) {
      this.#db.close();
      this.#lock?.close();
      // WAL needs to create files beside the database: a read-only directory fails here.
      throw cannotOpen(filename, error);
    }
    this.#transaction = this.#db.transaction((work: () => unknown) => work());
  }

  async migrate(): Promise<void> {
    this.#guard('migrate', () => {
      this.#db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
      // Read the applied versions inside the write lock, so two processes starting together
      // cannot both apply the same migration.
      this.#immediate(() => {
        const rows = this.#db.prepare('SELECT version FROM schema_migrations').all() as Array<{
          version: number;
        }>;
        const applied = new Set(rows.map((row) => row.version));
        for (const migration of this.#migrations) {
          if (applied.has(migration.version)) continue;
          this.#db.exec(migration.sql);
          this.#db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(migration.version, migration.name, Date.now());
          this.#logger.info({ version: migration.version, migration: migration.name }, 'migration applied');
        }
        const latest = Math.max(0, ...this.#migrations.map((m) => m.version));
        const newer = rows.filter((row) => row.version > latest).length;
        if (newer > 0) this.#logger.warn({ latest }, 'database has migrations newer than this build');
      });
    });
  }

  async ping(): Promise<void> {
    this.#guard('ping', () => this.#stmt('SELECT 1').get());
  }

  async countRequestsByState(): Promise<Record<RequestState, number>> {
    return this.#guard('countRequestsByState', () => {
      const rows = this.#stmt('SELECT state, COUNT(*) AS n FROM requests GROUP BY state').all() as Array<{
        state: string;
        n: number;
      }>;
      return countsByState(rows);
    });
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
    if (this.#lock?.open) this.#lock.close();
  }

  async createRequest(input: NewRequest): Promise<KeyRequest> {
    return this.#guard(
      'createRequest',
      () => {
        const created = ms(input.createdAt);
        const row = this.#stmt(SQL.insertRequest).get(
          input.id,
          input.kind,
          input.requesterId,
          input.keyName,
          input.roleId,
          input.expiry,
          input.reason,
          JSON.stringify(input.ipAccessList),
          input.approvalsRequired,
          input.state,
          created,
          created,
          msOrNull(input.deadline),
          // Approved on submission (a role needing no approval): the policy decided then.
          input.state === 'approved' ? created : null,
          input.keyId ?? null,
          input.keySuffix ?? null,
          input.change ? JSON.stringify(input.change) : null,
          input.rotation ? JSON.stringify(input.rotation) : null,
        ) as RequestRow;
        return requestFromRow(row);
      },
      (error) => (isUniqueViolation(error) ? 'conflict' : 'internal'),
    );
  }

  async getRequest(id: string): Promise<KeyRequest | null> {
    return this.#guard('getRequest', () => this.#getRequest(id));
  }

  async listRequests(filter: RequestFilter): Promise<KeyRequest[]> {
    return this.#guard('listRequests', () => {
      const where: string[] = [];
      const params: Param[] = [];
      if (filter.states) {
        where.push('state IN (SELECT value FROM json_each(?))');
        params.push(JSON.stringify(filter.states));
      }
      if (filter.requesterId !== undefined) {
        where.push('requester_id = ?');
        params.push(filter.requesterId);
      }
      if (filter.kind !== undefined) {
        where.push('kind = ?');
        params.push(filter.kind);
      }
      if (filter.deadlineBefore !== undefined) {
        where.push('deadline <= ?');
        params.push(ms(filter.deadlineBefore));
      }
      const limit = checkLimit(filter.limit);
      params.push(limit ?? -1);
      const sql = `SELECT * FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at, id LIMIT ?`;
      return (this.#stmt(sql).all(...params) as RequestRow[]).map(requestFromRow);
    });
  }

  async transition(args: TransitionArgs): Promise<KeyRequest | null> {
    return this.#guard('transition', () => {
      const assignments = ['state = ?', 'updated_at = ?'];
      const params: Param[] = [args.to, ms(args.at)];
      for (const [column, value] of patchEntries(args.set)) {
        assignments.push(`${column} = ?`);
        params.push(value instanceof Date ? ms(value) : value);
      }
      const where = ['id = ?', 'state IN (SELECT value FROM json_each(?))'];
      params.push(args.id, JSON.stringify(fromStates(args.from)));
      if (args.withinDeadline) {
        where.push('(deadline IS NULL OR deadline > ?)');
        params.push(ms(args.at));
      }
      if (args.attemptId !== undefined) {
        where.push('attempt_id = ?');
        params.push(args.attemptId);
      }
      const sql = `UPDATE requests SET ${assignments.join(', ')} WHERE ${where.join(' AND ')} RETURNING *`;
      const row = this.#immediate(() => this.#stmt(sql).get(...params)) as RequestRow | undefined;
      return row ? requestFromRow(row) : null;
    });
  }

  async recordApproval(args: ApprovalArgs): Promise<ApprovalResult> {
    return this.#guard('recordApproval', () =>
      this.#immediate((): ApprovalResult => {
        const current = decisionTarget(this.#getRequest(args.requestId), args.at);
        if (!current.pending) {
          return {
            outcome: 'not_pending',
            request: current.request,
            approvals: this.#approvals(args.requestId),
          };
        }
        const inserted = this.#stmt(SQL.insertDecision).run(
          args.requestId,
          args.userId,
          'approve',
          null,
          ms(args.at),
        );
        const approvals = this.#approvals(args.requestId);
        if (inserted.changes === 0) return { outcome: 'duplicate', request: current.request, approvals };
        if (approvals.length < current.request.approvalsRequired) {
          return { outcome: 'recorded', request: current.request, approvals };
        }
        const row = this.#stmt(SQL.decide).get(
          'approved',
          msOrNull(args.approvedDeadline),
          ms(args.at),
          ms(args.at),
          args.requestId,
        ) as RequestRow;
        return { outcome: 'approved', request: requestFromRow(row), approvals };
      }),
    );
  }

  async recordDenial(args: DenialArgs): Promise<DenialResult> {
    return this.#guard('recordDenial', () =>
      this.#immediate((): DenialResult => {
        const current = decisionTarget(this.#getRequest(args.requestId), args.at);
        if (!current.pending) return { outcome: 'not_pending', request: current.request };
        this.#stmt(SQL.insertDecision).run(args.requestId, args.userId, 'deny', args.reason, ms(args.at));
        // A settled request has no deadline: nothing lapses any more.
        const row = this.#stmt(SQL.decide).get(
          'denied',
          null,
          ms(args.at),
          ms(args.at),
          args.requestId,
        ) as RequestRow;
        return { outcome: 'denied', request: requestFromRow(row) };
      }),
    );
  }

  async listDecisions(requestId: string): Promise<Decision[]> {
    return this.#guard('listDecisions', () =>
      (this.#stmt(SQL.listDecisions).all(requestId) as DecisionRow[]).map(decisionFromRow),
    );
  }

  async putKeyOwner(owner: KeyOwner): Promise<void> {
    this.#guard('putKeyOwner', () =>
      this.#stmt(SQL.putKeyOwner).run(
        owner.keyId,
        owner.ownerId,
        owner.requestId,
        owner.keyName,
        owner.keySuffix,
        ms(owner.createdAt),
        owner.roleId ?? null,
        owner.fingerprint ?? null,
      ),
    );
  }

  async findKeyOwnerByFingerprint(fingerprint: string): Promise<KeyOwner | null> {
    return this.#guard('findKeyOwnerByFingerprint', () => {
      const row = this.#stmt(SQL.findKeyOwnerByFingerprint).get(fingerprint) as KeyOwnerRow | undefined;
      return row ? keyOwnerFromRow(row) : null;
    });
  }

  async findKeyOwnersByFingerprints(fingerprints: readonly string[]): Promise<KeyOwner[]> {
    if (fingerprints.length === 0) return [];
    return this.#guard('findKeyOwnersByFingerprints', () =>
      oldestPerFingerprint(
        this.#stmt(SQL.findKeyOwnersByFingerprints).all(JSON.stringify(fingerprints)) as KeyOwnerRow[],
      ),
    );
  }

  async getKeyOwner(keyId: string): Promise<KeyOwner | null> {
    return this.#guard('getKeyOwner', () => {
      const row = this.#stmt(SQL.getKeyOwner).get(keyId) as KeyOwnerRow | undefined;
      return row ? keyOwnerFromRow(row) : null;
    });
  }

  async listKeyOwners(ownerId?: string): Promise<KeyOwner[]> {
    return this.#guard('listKeyOwners', () =>
      this.#unchanged(`owners:${ownerId ?? ''}`, () => {
        const rows =
          ownerId === undefined
            ? this.#stmt(SQL.listKeyOwners).all()
            : this.#stmt(SQL.listKeyOwnersOf).all(ownerId);
        return (rows as KeyOwnerRow[]).map(keyOwnerFromRow);
      }),
    );
  }

  async deleteKeyOwner(keyId: string): Promise<void> {
    this.#guard('deleteKeyOwner', () => this.#stmt(SQL.deleteKeyOwner).run(keyId));
  }

  async renameKeyOwner(keyId: string, keyName: string): Promise<void> {
    this.#guard('renameKeyOwner', () => this.#stmt(SQL.renameKeyOwner).run(keyName, keyId));
  }

  async putRetirement(input: NewRetirement): Promise<Retirement | null> {
    return this.#guard('putRetirement', () => {
      const row = this.#immediate(() =>
        this.#stmt(SQL.putRetirement).get(
          input.keyId,
          input.keyName,
          input.keySuffix,
          input.ownerId,
          input.requestId,
          input.successorKeyId,
          input.successorSuffix,
          ms(input.retireAt),
          ms(input.at),
        ),
      ) as RetirementRow | undefined;
      return row ? retirementFromRow(row) : null;
    });
  }

  async getRetirement(keyId: string): Promise<Retirement | null> {
    return this.#guard('getRetirement', () => {
      const row = this.#stmt(SQL.getRetirement).get(keyId) as RetirementRow | undefined;
      return row ? retirementFromRow(row) : null;
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

  #listRetirements(filter: RetirementFilter): Retirement[] {
    const where: string[] = [];
    const params: Param[] = [];
    if (filter.stages) {
      where.push('stage IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.stages));
    }
    if (filter.retireBefore !== undefined) {
      where.push('retire_at <= ?');
      params.push(ms(filter.retireBefore));
    }
    const sql = `SELECT * FROM retirements ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY retire_at, key_id`;
    return (this.#stmt(sql).all(...params) as RetirementRow[]).map(retirementFromRow);
  }

  async advanceRetirement(step: RetirementStep): Promise<Retirement | null> {
    return this.#guard('advanceRetirement', () => {
      const row = this.#immediate(() =>
        this.#stmt(SQL.advanceRetirement).get(step.to, ms(step.at), step.keyId, step.from),
      ) as RetirementRow | undefined;
      return row ? retirementFromRow(row) : null;
    });
  }

  async setKeyOwnerRole(keyId: string, roleId: string): Promise<void> {
    this.#guard('setKeyOwnerRole', () => this.#stmt(SQL.setKeyOwnerRole).run(roleId, keyId));
  }

  async appendAudit(event: AuditInput): Promise<AuditEvent> {
    return this.#guard(
      'appendAudit',
      // Inside the write lock: read the head, link the event to it, move the head. No other
      // connection can append in between, so the chain stays one line.
      () =>
        this.#immediate(() => {
          const head = chainHeadFromRow(this.#stmt(SQL.chainHead).get() as AuditChainRow | undefined);
          const at = new Date(ms(event.at));
          const fields = chainFields(event, at, head.headHash);
          const hash = eventHash(fields);
          const row = this.#stmt(SQL.appendAudit).get(
            ms(at),
            fields.actorId,
            fields.action,
            fields.outcome,
            fields.requestId,
            fields.keyId,
            fields.keyName,
            fields.keySuffix,
            fields.upstreamRequestId,
            fields.detail ? JSON.stringify(fields.detail) : null,
            fields.prevHash,
            hash,
          ) as AuditRow;
          this.#stmt(SQL.moveChainHead).run(row.seq, hash);
          return auditFromRow(row);
        }),
      () => 'audit_failed',
    );
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return this.#guard('listAudit', () => {
      const where: string[] = [];
      const params: Param[] = [];
      if (filter.requestId !== undefined) {
        where.push('request_id = ?');
        params.push(filter.requestId);
      }
      if (filter.keyId !== undefined) {
        where.push('key_id = ?');
        params.push(filter.keyId);
      }
      if (filter.key !== undefined) {
        where.push(`(key_name = ? OR key_suffix = ?
          OR request_id IN (SELECT id FROM requests WHERE key_name = ? OR key_suffix = ?))`);
        const suffix = bareSuffix(filter.key);
        params.push(filter.key, suffix, filter.key, suffix);
      }
      if (filter.user !== undefined) {
        where.push(`(actor_id = ? OR request_id IN (SELECT id FROM requests WHERE requester_id = ?)
          OR key_id IN (SELECT key_id FROM key_owners WHERE owner_id = ?))`);
        params.push(filter.user, filter.user, filter.user);
      }
      if (filter.since !== undefined) {
        where.push('at >= ?');
        params.push(ms(filter.since));
      }
      if (filter.until !== undefined) {
        where.push('at < ?');
        params.push(ms(filter.until));
      }
      params.push(checkLimit(filter.limit) ?? -1);
      const order = filter.newest ? 'DESC' : 'ASC';
      const sql = `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq ${order} LIMIT ?`;
      const rows = (this.#stmt(sql).all(...params) as AuditRow[]).map(auditFromRow);
      return filter.newest ? rows.reverse() : rows;
    });
  }

  async auditChainHead(): Promise<AuditChainHead> {
    return this.#guard('auditChainHead', () =>
      chainHeadFromRow(this.#stmt(SQL.chainHead).get() as AuditChainRow | undefined),
    );
  }

  async getWatchState(name: string): Promise<string | null> {
    return this.#guard('getWatchState', () => {
      const row = this.#stmt(SQL.getWatchState).get(name) as { value: string } | undefined;
      return row?.value ?? null;
    });
  }

  async putWatchState(name: string, value: string, at: Date): Promise<void> {
    this.#guard('putWatchState', () => this.#stmt(SQL.putWatchState).run(name, value, ms(at)));
  }

  async claimActivity(activityId: string, at: Date): Promise<boolean> {
    return this.#guard(
      'claimActivity',
      () => this.#stmt(SQL.claimActivity).run(activityId, ms(at)).changes === 1,
    );
  }

  async claimActivities(activityIds: readonly string[], at: Date): Promise<string[]> {
    if (activityIds.length === 0) return [];
    return this.#guard('claimActivities', () =>
      (
        this.#stmt(SQL.claimActivities).all(ms(at), JSON.stringify([...new Set(activityIds)])) as Array<{
          activity_id: string;
        }>
      ).map((row) => row.activity_id),
    );
  }

  async putMessageRef(ref: MessageRef): Promise<void> {
    this.#guard('putMessageRef', () =>
      this.#stmt(SQL.putMessageRef).run(ref.requestId, ref.kind, ref.channel, ref.ts),
    );
  }

  async getMessageRefs(requestId: string): Promise<MessageRef[]> {
    return this.#guard('getMessageRefs', () =>
      (this.#stmt(SQL.getMessageRefs).all(requestId) as MessageRefRow[]).map(messageRefFromRow),
    );
  }

  async tryLease(name: string, holder: string, ttlMs: number, at: Date): Promise<boolean> {
    return this.#guard('tryLease', () => {
      const row = this.#immediate(() => this.#stmt(SQL.tryLease).get(name, holder, ms(at) + ttlMs, ms(at))) as
        | { holder: string }
        | undefined;
      return row?.holder === holder;
    });
  }

  async claimTimer(claim: TimerClaim): Promise<TimerMark | null> {
    return this.#guard('claimTimer', () => {
      // Never early: a claim before its due time takes nothing.
      if (claim.dueAt.getTime() > claim.at.getTime()) return null;
      const row = this.#immediate(() =>
        this.#stmt(SQL.claimTimer).get(
          claim.rule,
          claim.subject,
          claim.threshold,
          claim.holder,
          ms(claim.dueAt),
          ms(claim.at),
          claim.detail ? JSON.stringify(claim.detail) : null,
          msOrNull(claim.abandonedBefore),
          claim.maxAttempts ?? 1,
        ),
      ) as TimerMarkRow | undefined;
      return row ? timerMarkFromRow(row) : null;
    });
  }

  async settleTimer(settle: TimerSettle): Promise<boolean> {
    return this.#guard('settleTimer', () => {
      const replace = settle.detail !== undefined;
      const result = this.#immediate(() =>
        this.#stmt(SQL.settleTimer).run(
          settle.state,
          ms(settle.at),
          replace ? 1 : 0,
          replace && settle.detail ? JSON.stringify(settle.detail) : null,
          settle.rule,
          settle.subject,
          settle.threshold,
          settle.holder,
        ),
      );
      return result.changes === 1;
    });
  }

  async listTimerMarks(filter: TimerMarkFilter = {}): Promise<TimerMark[]> {
    return this.#guard('listTimerMarks', () => {
      const where: string[] = [];
      const params: Param[] = [];
      if (filter.rules) {
        where.push('rule IN (SELECT value FROM json_each(?))');
        params.push(JSON.stringify(filter.rules));
      }
      if (filter.subjects) {
        where.push('subject IN (SELECT value FROM json_each(?))');
        params.push(JSON.stringify(filter.subjects));
      }
      const sql = `SELECT * FROM timer_marks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY claimed_at, rule, subject, threshold`;
      return (this.#stmt(sql).all(...params) as TimerMarkRow[]).map(timerMarkFromRow);
    });
  }

  /** Each distinct SQL text is prepared once per connection and reused. */
  #stmt(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * A list `read` made since nothing in the database changed, or a fresh one. Every list of keys
   * reads the owners and the retirements, and they change only when a key is delivered, reassigned,
   * rotated or forgotten: the rows are kept, frozen, until the database changes. Its stamp is the
   * rows this connection changed (`total_changes()`, triggers included) and SQLite's
   * `data_version`, which moves when another connection commits: one step of a prepared statement.
   */
  #unchanged<T extends object>(query: string, read: () => T[]): T[] {
    const stamp = (this.#stmt(SQL.changeStamp).raw().get() as number[]).join(':');
    if (stamp !== this.#heldStamp) {
      this.#held.clear();
      this.#heldStamp = stamp;
    }
    let rows = this.#held.get(query) as readonly T[] | undefined;
    if (!rows) {
      rows = read().map((row) => Object.freeze(row));
      this.#held.set(query, rows);
    }
    return [...rows];
  }

  #immediate<T>(work: () => T): T {
    return this.#transaction.immediate(work) as T;
  }

  #getRequest(id: string): KeyRequest | null {
    const row = this.#stmt(SQL.getRequest).get(id) as RequestRow | undefined;
    return row ? requestFromRow(row) : null;
  }

  #approvals(requestId: string): Decision[] {
    return (this.#stmt(SQL.listApprovals).all(requestId) as DecisionRow[]).map(decisionFromRow);
  }

  #guard<T>(
    operation: string,
    work: () => T,
    classify: (error: unknown) => KeyhouseErrorCode = () => 'internal',
  ): T {
    try {
      return work();
    } catch (error) {
      throw storeError(operation, error, classify(error));
    }
  }
}
