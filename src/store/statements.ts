/**
 * Every statement of fixed shape the store runs, written once with Kysely for both dialects and
 * compiled once (prepared.ts). Each takes its values by name; a name is the column it fills or
 * compares where there is one. Queries whose shape depends on a filter are built in store.ts.
 */
import type { Insertable, Kysely } from 'kysely';
import type { StoreDialect } from './dialect.js';
import { Prepared, slots } from './prepared.js';
import type {
  AuditEventsTable,
  KeyOwnersTable,
  RequestsTable,
  RetirementsTable,
  Tables,
  TimerMarksTable,
  Timestamp,
} from './schema.js';

type Db = Kysely<Tables>;

const REQUEST_COLUMNS = [
  'id',
  'kind',
  'requester_id',
  'key_name',
  'role_id',
  'expiry',
  'reason',
  'ip_access_list',
  'approvals_required',
  'state',
  'created_at',
  'updated_at',
  'deadline',
  'decided_at',
  'key_id',
  'key_suffix',
  'change',
  'rotation',
  'services',
] as const satisfies ReadonlyArray<keyof RequestsTable>;

const OWNER_COLUMNS = [
  'key_id',
  'owner_id',
  'request_id',
  'key_name',
  'key_suffix',
  'created_at',
  'role_id',
  'fingerprint',
] as const satisfies ReadonlyArray<keyof KeyOwnersTable>;

type OwnerRow = Pick<KeyOwnersTable, (typeof OWNER_COLUMNS)[number]>;
type Envelope = { approved_until: Timestamp | null; approved_forever: number };

const EVENT_COLUMNS = [
  'seq',
  'at',
  'actor_id',
  'action',
  'outcome',
  'request_id',
  'key_id',
  'key_name',
  'key_suffix',
  'upstream_request_id',
  'detail',
  'prev_hash',
  'hash',
] as const satisfies ReadonlyArray<keyof AuditEventsTable>;

const RETIREMENT_COLUMNS = [
  'key_id',
  'key_name',
  'key_suffix',
  'owner_id',
  'request_id',
  'successor_key_id',
  'successor_suffix',
  'retire_at',
  'stage',
  'updated_at',
] as const satisfies ReadonlyArray<keyof RetirementsTable>;

/** A key owner's row: insert, or replace all but its fingerprint (kept when none is given) and leak mark. */
function putOwner(d: Db, v: OwnerRow & Partial<Envelope>, envelope: boolean) {
  const columns = envelope ? [...OWNER_COLUMNS, 'approved_until', 'approved_forever'] : OWNER_COLUMNS;
  return d
    .insertInto('key_owners')
    .values(slots(v, columns as Array<keyof typeof v>))
    .onConflict((oc) =>
      oc.column('key_id').doUpdateSet((eb) => ({
        owner_id: eb.ref('excluded.owner_id'),
        request_id: eb.ref('excluded.request_id'),
        key_name: eb.ref('excluded.key_name'),
        key_suffix: eb.ref('excluded.key_suffix'),
        created_at: eb.ref('excluded.created_at'),
        role_id: eb.ref('excluded.role_id'),
        fingerprint: eb.fn.coalesce('excluded.fingerprint', 'key_owners.fingerprint'),
        ...(envelope && {
          approved_until: eb.ref('excluded.approved_until'),
          approved_forever: eb.ref('excluded.approved_forever'),
        }),
      })),
    );
}

/** Sets a timer mark's end, with its detail replaced or kept. */
function settleMark(
  d: Db,
  v: Pick<TimerMarksTable, 'rule' | 'subject' | 'threshold' | 'holder' | 'state' | 'settled_at' | 'detail'>,
  detail: boolean,
) {
  return d
    .updateTable('timer_marks')
    .set({ state: v.state, settled_at: v.settled_at, ...(detail && { detail: v.detail }) })
    .where('rule', '=', v.rule)
    .where('subject', '=', v.subject)
    .where('threshold', '=', v.threshold)
    .where('holder', '=', v.holder)
    .where('state', '=', 'claimed')
    .returning('rule');
}

export type Statements = ReturnType<typeof statements>;

export function statements({ db, locked }: StoreDialect) {
  const requestById = (d: Db, v: { id: string }) =>
    d.selectFrom('requests').selectAll().where('id', '=', v.id);
  const chainHead = (d: Db) => d.selectFrom('audit_chain').selectAll().where('id', '=', 1);

  return {
    countRequests: new Prepared(db, (d) =>
      d
        .selectFrom('requests')
        .select((eb) => ['state', eb.fn.countAll<number | string>().as('n')])
        .groupBy('state'),
    ),
    insertRequest: new Prepared(db, (d, v: Insertable<RequestsTable>) =>
      d.insertInto('requests').values(slots(v, REQUEST_COLUMNS)).returningAll(),
    ),
    getRequest: new Prepared(db, requestById),
    // Locked, decisions on one request queue until the transaction ends.
    lockRequest: new Prepared(db, (d, v: { id: string }) => locked(requestById(d, v))),
    settleRequest: new Prepared(
      db,
      (d, v: { id: string; state: string; deadline: Timestamp | null; at: Timestamp }) =>
        d
          .updateTable('requests')
          .set({ state: v.state, deadline: v.deadline, decided_at: v.at, updated_at: v.at })
          .where('id', '=', v.id)
          .returningAll(),
    ),

    decisions: new Prepared(db, (d, v: { request_id: string }) =>
      d.selectFrom('decisions').selectAll().where('request_id', '=', v.request_id).orderBy('id'),
    ),
    approvals: new Prepared(db, (d, v: { request_id: string }) =>
      d
        .selectFrom('decisions')
        .selectAll()
        .where('request_id', '=', v.request_id)
        .where('decision', '=', 'approve')
        .orderBy('id'),
    ),
    // Once per user and decision: a second click inserts nothing and returns no row.
    decide: new Prepared(
      db,
      (
        d,
        v: { request_id: string; user_id: string; decision: string; reason: string | null; at: Timestamp },
      ) =>
        d
          .insertInto('decisions')
          .values(slots(v, ['request_id', 'user_id', 'decision', 'reason', 'at']))
          .onConflict((oc) => oc.columns(['request_id', 'user_id', 'decision']).doNothing())
          .returning('id'),
    ),

    putOwner: new Prepared(db, (d, v: OwnerRow) => putOwner(d, v, false)),
    putOwnerWithEnvelope: new Prepared(db, (d, v: OwnerRow & Envelope) => putOwner(d, v, true)),
    getOwner: new Prepared(db, (d, v: { key_id: string }) =>
      d.selectFrom('key_owners').selectAll().where('key_id', '=', v.key_id),
    ),
    owners: new Prepared(db, (d) =>
      d.selectFrom('key_owners').selectAll().orderBy('created_at').orderBy('key_id'),
    ),
    ownersOf: new Prepared(db, (d, v: { owner_id: string }) =>
      d
        .selectFrom('key_owners')
        .selectAll()
        .where('owner_id', '=', v.owner_id)
        .orderBy('created_at')
        .orderBy('key_id'),
    ),
    ownerByFingerprint: new Prepared(db, (d, v: { fingerprint: string }) =>
      d
        .selectFrom('key_owners')
        .selectAll()
        .where('fingerprint', '=', v.fingerprint)
        .orderBy('created_at')
        .limit(1),
    ),
    deleteOwner: new Prepared(db, (d, v: { key_id: string }) =>
      d.deleteFrom('key_owners').where('key_id', '=', v.key_id),
    ),
    renameOwner: new Prepared(db, (d, v: { key_id: string; key_name: string }) =>
      d.updateTable('key_owners').set({ key_name: v.key_name }).where('key_id', '=', v.key_id),
    ),
    setOwnerRole: new Prepared(db, (d, v: { key_id: string; role_id: string }) =>
      d.updateTable('key_owners').set({ role_id: v.role_id }).where('key_id', '=', v.key_id),
    ),
    setEnvelope: new Prepared(db, (d, v: { key_id: string } & Envelope) =>
      d
        .updateTable('key_owners')
        .set({ approved_until: v.approved_until, approved_forever: v.approved_forever })
        .where('key_id', '=', v.key_id),
    ),
    // Compare-and-set: only an unmarked key takes the mark.
    markLeaked: new Prepared(db, (d, v: { key_id: string; leak_at: Timestamp; leak_source: string }) =>
      d
        .updateTable('key_owners')
        .set({ leak_at: v.leak_at, leak_source: v.leak_source })
        .where('key_id', '=', v.key_id)
        .where('leak_at', 'is', null)
        .returning('key_id'),
    ),
    liftLeak: new Prepared(db, (d, v: { key_id: string }) =>
      d
        .updateTable('key_owners')
        .set({ leak_at: null, leak_source: null })
        .where('key_id', '=', v.key_id)
        .where('leak_at', 'is not', null)
        .returning('key_id'),
    ),

    // Insert-if-absent, or change the status when it differs: the upsert's WHERE is re-checked on
    // the newest row when two callers race, so one change is seen by exactly one of them.
    recordPerson: new Prepared(
      db,
      (d, v: { user_id: string; status: string; changed_at: Timestamp; deactivations: number }) =>
        d
          .insertInto('people')
          .values(slots(v, ['user_id', 'status', 'changed_at', 'deactivations']))
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
          .returningAll(),
    ),
    getPerson: new Prepared(db, (d, v: { user_id: string }) =>
      d.selectFrom('people').selectAll().where('user_id', '=', v.user_id),
    ),

    putRetirement: new Prepared(db, (d, v: Insertable<RetirementsTable>) =>
      d
        .insertInto('retirements')
        .values(slots(v, RETIREMENT_COLUMNS))
        .onConflict((oc) => oc.column('key_id').doNothing())
        .returningAll(),
    ),
    getRetirement: new Prepared(db, (d, v: { key_id: string }) =>
      d.selectFrom('retirements').selectAll().where('key_id', '=', v.key_id),
    ),
    advanceRetirement: new Prepared(db, (d, v: { key_id: string; from: string; to: string; at: Timestamp }) =>
      d
        .updateTable('retirements')
        .set({ stage: v.to, updated_at: v.at })
        .where('key_id', '=', v.key_id)
        .where('stage', '=', v.from)
        .returningAll(),
    ),

    chainHead: new Prepared(db, chainHead),
    // Locked until the append commits: replicas appending at once queue here (SQLite: the whole
    // database is, from BEGIN IMMEDIATE).
    lockChainHead: new Prepared(db, (d) => locked(chainHead(d))),
    appendEvent: new Prepared(db, (d, v: Insertable<AuditEventsTable>) =>
      d.insertInto('audit_events').values(slots(v, EVENT_COLUMNS)).returningAll(),
    ),
    moveChainHead: new Prepared(db, (d, v: { head_seq: number; head_hash: string }) =>
      d.updateTable('audit_chain').set({ head_seq: v.head_seq, head_hash: v.head_hash }).where('id', '=', 1),
    ),
    allEvents: new Prepared(db, (d) => d.selectFrom('audit_events').selectAll().orderBy('seq')),

    getWatchState: new Prepared(db, (d, v: { name: string }) =>
      d.selectFrom('watch_state').select('value').where('name', '=', v.name),
    ),
    putWatchState: new Prepared(db, (d, v: { name: string; value: string; updated_at: Timestamp }) =>
      d
        .insertInto('watch_state')
        .values(slots(v, ['name', 'value', 'updated_at']))
        .onConflict((oc) =>
          oc.column('name').doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        ),
    ),
    claimActivity: new Prepared(db, (d, v: { activity_id: string; seen_at: Timestamp }) =>
      d
        .insertInto('watch_seen')
        .values(slots(v, ['activity_id', 'seen_at']))
        .onConflict((oc) => oc.doNothing())
        .returning('activity_id'),
    ),

    putMessageRef: new Prepared(
      db,
      (d, v: { request_id: string; kind: string; channel: string; ts: string }) =>
        d
          .insertInto('message_refs')
          .values(slots(v, ['request_id', 'kind', 'channel', 'ts']))
          .onConflict((oc) =>
            oc
              .columns(['request_id', 'kind'])
              .doUpdateSet((eb) => ({ channel: eb.ref('excluded.channel'), ts: eb.ref('excluded.ts') })),
          ),
    ),
    messageRefs: new Prepared(db, (d, v: { request_id: string }) =>
      d.selectFrom('message_refs').selectAll().where('request_id', '=', v.request_id).orderBy('kind'),
    ),

    // The upsert's WHERE makes a live lease held by someone else a no-op: no row comes back.
    tryLease: new Prepared(
      db,
      (d, v: { name: string; holder: string; expires_at: Timestamp; now: Timestamp }) =>
        d
          .insertInto('leases')
          .values({ name: v.name, holder: v.holder, expires_at: v.expires_at })
          .onConflict((oc) =>
            oc
              .column('name')
              .doUpdateSet((eb) => ({
                holder: eb.ref('excluded.holder'),
                expires_at: eb.ref('excluded.expires_at'),
              }))
              .where((eb) =>
                eb.or([
                  eb('leases.expires_at', '<=', v.now),
                  eb('leases.holder', '=', eb.ref('excluded.holder')),
                ]),
              ),
          )
          .returning('holder'),
    ),
    // Insert-if-absent; the upsert's WHERE (re-checked on the newest row version when two race)
    // takes back only a failed mark with attempts left, or a claim abandoned before
    // `abandoned_before` (null: never) of work that may be done twice.
    claimTimer: new Prepared(
      db,
      (
        d,
        v: Pick<
          TimerMarksTable,
          'rule' | 'subject' | 'threshold' | 'holder' | 'due_at' | 'claimed_at' | 'detail'
        > & {
          max_attempts: number;
          abandoned_before: Timestamp | null;
        },
      ) =>
        d
          .insertInto('timer_marks')
          .values({
            ...slots(v, ['rule', 'subject', 'threshold', 'holder', 'due_at', 'claimed_at', 'detail']),
            state: 'claimed',
            attempts: 1,
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
                  eb('timer_marks.attempts', '<', v.max_attempts),
                  eb.or([
                    eb('timer_marks.state', '=', 'failed'),
                    eb.and([
                      eb('timer_marks.state', '=', 'claimed'),
                      eb('timer_marks.claimed_at', '<=', v.abandoned_before),
                    ]),
                  ]),
                ]),
              ),
          )
          .returningAll(),
    ),
    settleTimer: new Prepared(db, (d, v: Parameters<typeof settleMark>[1]) => settleMark(d, v, false)),
    settleTimerWithDetail: new Prepared(db, (d, v: Parameters<typeof settleMark>[1]) =>
      settleMark(d, v, true),
    ),
  };
}
