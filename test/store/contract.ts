/**
 * The store contract: every backend runs this same suite (sqlite.test.ts, postgres.test.ts), so
 * the workflow can rely on one behaviour whatever DATABASE_URL says.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import { isKeyhouseError } from '../../src/core/errors.js';
import type {
  AuditInput,
  KeyOwner,
  KeyRequest,
  NewRequest,
  Store,
  TimerClaim,
} from '../../src/core/model.js';

export interface StoreFixture {
  store: Store;
  /** Opens another store on the same database: a second replica, or the same one after a restart. */
  reopen(): Promise<Store>;
  /** Runs SQL through the driver itself, around the store (to prove what the database refuses). */
  rawExec(sql: string): Promise<void>;
  /** Closes every store opened for the test and removes its database. */
  cleanup(): Promise<void>;
}

const T0 = new Date('2026-03-01T12:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function at(offsetMs: number): Date {
  return new Date(T0.getTime() + offsetMs);
}

function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  return {
    id: `req-${randomUUID()}`,
    kind: 'create',
    requesterId: 'U0REQUESTER',
    keyName: 'etl-loader',
    roleId: 'developer',
    expiry: '30d',
    reason: 'nightly ETL into the warehouse',
    ipAccessList: [{ source: '10.0.0.0/8', description: 'office' }, { source: '192.0.2.7' }],
    approvalsRequired: 1,
    state: 'pending',
    createdAt: T0,
    deadline: at(24 * HOUR),
    ...overrides,
  };
}

function owner(overrides: Partial<KeyOwner> = {}): KeyOwner {
  return {
    keyId: randomUUID(),
    ownerId: 'U0OWNER',
    requestId: null,
    keyName: 'reporting',
    keySuffix: 'a1b2',
    createdAt: T0,
    roleId: null,
    hasFingerprint: false,
    approvedUntil: null,
    leak: null,
    ...overrides,
  };
}

function expectOneOf<T>(values: T[], predicate: (value: T) => boolean): void {
  expect(values.filter(predicate)).toHaveLength(1);
}

export function storeContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('requests', () => {
      it('round-trips every field of a request, with Dates, JSON and nulls', async () => {
        const input = newRequest({
          kind: 'change',
          approvalsRequired: 2,
          keyId: '4b6c1a52-5b2e-4b8e-9d3e-0f7e8d6c5b4a',
          keySuffix: '5b4a',
          change: {
            keyId: '4b6c1a52-5b2e-4b8e-9d3e-0f7e8d6c5b4a',
            keySuffix: '5b4a',
            from: { roleId: null, expireAt: null },
            to: { roleId: 'admin', expiry: '7d' },
          },
        });
        const expected: KeyRequest = {
          id: input.id,
          kind: 'change',
          requesterId: input.requesterId,
          keyName: input.keyName,
          roleId: input.roleId,
          expiry: input.expiry,
          reason: input.reason,
          ipAccessList: [{ source: '10.0.0.0/8', description: 'office' }, { source: '192.0.2.7' }],
          approvalsRequired: 2,
          state: 'pending',
          createdAt: T0,
          updatedAt: T0,
          deadline: at(24 * HOUR),
          decidedAt: null,
          keyId: '4b6c1a52-5b2e-4b8e-9d3e-0f7e8d6c5b4a',
          keySuffix: '5b4a',
          attemptId: null,
          attemptStartedAt: null,
          change: input.change!,
          rotation: null,
          services: null,
        };

        const created = await store.createRequest(input);
        expect(created).toStrictEqual(expected);
        const read = await store.getRequest(input.id);
        expect(read).toStrictEqual(expected);
        expect(read?.createdAt).toBeInstanceOf(Date);
        expect(read?.deadline).toBeInstanceOf(Date);
        expect(await store.listRequests({})).toStrictEqual([expected]);
      });

      it('stores absent optional fields as null and keeps millisecond precision', async () => {
        const input = newRequest({ createdAt: new Date('2026-03-01T12:00:00.123Z'), deadline: null });
        const read = await store.createRequest(input).then(() => store.getRequest(input.id));
        expect(read).toMatchObject({
          createdAt: new Date('2026-03-01T12:00:00.123Z'),
          updatedAt: new Date('2026-03-01T12:00:00.123Z'),
          deadline: null,
          keyId: null,
          keySuffix: null,
          change: null,
          decidedAt: null,
        });
      });

      it('marks a request approved on submission as decided when it was created', async () => {
        const input = newRequest({ state: 'approved', approvalsRequired: 0, deadline: at(HOUR) });
        const created = await store.createRequest(input);
        expect(created).toMatchObject({ state: 'approved', decidedAt: T0, deadline: at(HOUR) });
      });

      it('answers null for an unknown id and refuses a duplicate id', async () => {
        expect(await store.getRequest('req-unknown')).toBeNull();
        const input = newRequest();
        await store.createRequest(input);
        const error = await store.createRequest(input).catch((e: unknown) => e);
        expect(isKeyhouseError(error, 'conflict')).toBe(true);
      });

      it('lists by every filter, combined with AND, oldest first, with a limit', async () => {
        const a = newRequest({ createdAt: at(3 * MINUTE), requesterId: 'U1', deadline: at(HOUR) });
        const b = newRequest({ createdAt: at(1 * MINUTE), requesterId: 'U2', deadline: at(2 * HOUR) });
        const c = newRequest({
          createdAt: at(2 * MINUTE),
          requesterId: 'U1',
          kind: 'change',
          state: 'approved',
          deadline: at(30 * MINUTE),
        });
        const d = newRequest({ createdAt: at(4 * MINUTE), requesterId: 'U2', deadline: null });
        for (const request of [a, b, c, d]) await store.createRequest(request);
        const ids = async (filter: Parameters<Store['listRequests']>[0]) =>
          (await store.listRequests(filter)).map((r) => r.id);

        expect(await ids({})).toEqual([b.id, c.id, a.id, d.id]);
        expect(await ids({ states: ['pending'] })).toEqual([b.id, a.id, d.id]);
        expect(await ids({ states: ['approved', 'denied'] })).toEqual([c.id]);
        expect(await ids({ states: [] })).toEqual([]);
        expect(await ids({ requesterId: 'U1' })).toEqual([c.id, a.id]);
        expect(await ids({ kind: 'change' })).toEqual([c.id]);
        // At or before the instant; a request without a deadline never matches.
        expect(await ids({ deadlineBefore: at(HOUR) })).toEqual([c.id, a.id]);
        expect(await ids({ states: ['pending'], deadlineBefore: at(HOUR) })).toEqual([a.id]);
        expect(await ids({ requesterId: 'U2', states: ['pending'], limit: 1 })).toEqual([b.id]);
        expect(await ids({ limit: 0 })).toEqual([]);
      });

      it('counts requests by state, every state present', async () => {
        const empty = await store.countRequestsByState();
        expect(empty).toEqual({ pending: 0, approved: 0, creating: 0, delivered: 0, denied: 0, expired: 0 });
        await store.createRequest(newRequest({ requesterId: 'U1' }));
        await store.createRequest(newRequest({ requesterId: 'U2' }));
        const moved = newRequest({ requesterId: 'U1', state: 'approved' });
        await store.createRequest(moved);
        await store.transition({ id: moved.id, from: 'approved', to: 'creating', at: at(MINUTE) });
        expect(await store.countRequestsByState()).toEqual({ ...empty, pending: 2, creating: 1 });
      });
    });

    describe('transition', () => {
      it('moves a request from an allowed state and stamps updatedAt', async () => {
        const input = newRequest();
        await store.createRequest(input);
        const moved = await store.transition({
          id: input.id,
          from: 'pending',
          to: 'approved',
          at: at(MINUTE),
        });
        expect(moved).toMatchObject({
          id: input.id,
          state: 'approved',
          updatedAt: at(MINUTE),
          createdAt: T0,
        });
        expect(await store.getRequest(input.id)).toStrictEqual(moved);

        const again = await store.transition({
          id: input.id,
          from: ['pending', 'approved'],
          to: 'creating',
          at: at(2 * MINUTE),
        });
        expect(again?.state).toBe('creating');
      });

      it('refuses a wrong from-state or an unknown id, changing nothing', async () => {
        const input = newRequest();
        await store.createRequest(input);
        expect(
          await store.transition({
            id: input.id,
            from: ['approved', 'creating'],
            to: 'delivered',
            at: at(1),
          }),
        ).toBeNull();
        expect(
          await store.transition({ id: 'req-unknown', from: 'pending', to: 'approved', at: at(1) }),
        ).toBeNull();
        expect(await store.getRequest(input.id)).toMatchObject({ state: 'pending', updatedAt: T0 });
      });

      it('with withinDeadline, refuses a request whose deadline has come', async () => {
        const input = newRequest({ deadline: at(HOUR) });
        await store.createRequest(input);
        const base = { id: input.id, from: 'pending', to: 'approved', withinDeadline: true } as const;
        expect(await store.transition({ ...base, at: at(2 * HOUR) })).toBeNull();
        expect(await store.transition({ ...base, at: at(HOUR) })).toBeNull();
        // Without the guard the same move is allowed (the expiry timer moves lapsed requests).
        expect(
          await store.transition({ ...base, withinDeadline: false, to: 'expired', at: at(2 * HOUR) }),
        ).toMatchObject({ state: 'expired' });

        const fresh = newRequest({ deadline: at(HOUR) });
        await store.createRequest(fresh);
        expect(await store.transition({ ...base, id: fresh.id, at: at(HOUR - 1) })).toMatchObject({
          state: 'approved',
        });

        const open = newRequest({ deadline: null });
        await store.createRequest(open);
        expect(await store.transition({ ...base, id: open.id, at: at(1000 * HOUR) })).not.toBeNull();
      });

      it('with attemptId, moves only a request held by that attempt', async () => {
        const input = newRequest({ state: 'approved' });
        await store.createRequest(input);
        const claimed = await store.transition({
          id: input.id,
          from: 'approved',
          to: 'creating',
          at: at(MINUTE),
          set: { attemptId: 'attempt-a', attemptStartedAt: at(MINUTE) },
        });
        expect(claimed).toMatchObject({ attemptId: 'attempt-a', attemptStartedAt: at(MINUTE) });

        const settle = { id: input.id, from: 'creating', to: 'delivered', at: at(2 * MINUTE) } as const;
        expect(await store.transition({ ...settle, attemptId: 'attempt-b' })).toBeNull();
        expect(await store.getRequest(input.id)).toMatchObject({ state: 'creating', attemptId: 'attempt-a' });
        expect(await store.transition({ ...settle, attemptId: 'attempt-a' })).toMatchObject({
          state: 'delivered',
        });
      });

      it('leaves absent fields unchanged, clears fields set to null, sets given values', async () => {
        const input = newRequest({ keyId: 'key-1', keySuffix: 'ey-1', deadline: at(HOUR) });
        await store.createRequest(input);

        const set = await store.transition({
          id: input.id,
          from: 'pending',
          to: 'creating',
          at: at(MINUTE),
          set: {
            deadline: at(3 * HOUR),
            decidedAt: at(MINUTE),
            keyId: 'key-2',
            keySuffix: 'ey-2',
            attemptId: 'attempt-1',
            attemptStartedAt: at(MINUTE),
          },
        });
        expect(set).toMatchObject({
          deadline: at(3 * HOUR),
          decidedAt: at(MINUTE),
          keyId: 'key-2',
          keySuffix: 'ey-2',
          attemptId: 'attempt-1',
          attemptStartedAt: at(MINUTE),
        });

        const cleared = await store.transition({
          id: input.id,
          from: 'creating',
          to: 'approved',
          at: at(2 * MINUTE),
          set: { attemptId: null, attemptStartedAt: null, keyId: null },
        });
        expect(cleared).toStrictEqual({
          ...set,
          state: 'approved',
          updatedAt: at(2 * MINUTE),
          attemptId: null,
          attemptStartedAt: null,
          keyId: null,
        });

        const untouched = await store.transition({
          id: input.id,
          from: 'approved',
          to: 'expired',
          at: at(3 * MINUTE),
        });
        expect(untouched).toStrictEqual({ ...cleared, state: 'expired', updatedAt: at(3 * MINUTE) });
      });

      it('lets exactly one of 20 racing transitions win, across two store instances', async () => {
        const input = newRequest();
        await store.createRequest(input);
        const replica = await fixture.reopen();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? store : replica).transition({
              id: input.id,
              from: 'pending',
              to: 'approved',
              at: at(i + 1),
              set: { attemptId: `racer-${i}` },
            }),
          ),
        );
        expectOneOf(results, (r) => r !== null);
        const winner = results.find((r) => r !== null)!;
        expect(await store.getRequest(input.id)).toStrictEqual(winner);
      });
    });

    describe('approvals and denials', () => {
      it('approves a one-approval request with the first approval', async () => {
        const input = newRequest({ approvalsRequired: 1 });
        await store.createRequest(input);
        const result = await store.recordApproval({
          requestId: input.id,
          userId: 'U0APPROVER',
          at: at(MINUTE),
          approvedDeadline: at(25 * HOUR),
        });
        expect(result.outcome).toBe('approved');
        expect(result.request).toMatchObject({
          state: 'approved',
          deadline: at(25 * HOUR),
          decidedAt: at(MINUTE),
          updatedAt: at(MINUTE),
        });
        expect(result.approvals).toStrictEqual([
          { requestId: input.id, userId: 'U0APPROVER', decision: 'approve', reason: null, at: at(MINUTE) },
        ]);
        expect(await store.getRequest(input.id)).toStrictEqual(result.request);
      });

      it('counts two approvals from different users, once each', async () => {
        const input = newRequest({ approvalsRequired: 2 });
        await store.createRequest(input);
        const approve = (userId: string, offset: number) =>
          store.recordApproval({
            requestId: input.id,
            userId,
            at: at(offset),
            approvedDeadline: at(HOUR * 30),
          });

        const first = await approve('U1', 1);
        expect(first.outcome).toBe('recorded');
        expect(first.request?.state).toBe('pending');
        expect(first.approvals.map((d) => d.userId)).toEqual(['U1']);

        const duplicate = await approve('U1', 2);
        expect(duplicate.outcome).toBe('duplicate');
        expect(duplicate.approvals.map((d) => d.userId)).toEqual(['U1']);

        const second = await approve('U2', 3);
        expect(second.outcome).toBe('approved');
        expect(second.request).toMatchObject({
          state: 'approved',
          deadline: at(HOUR * 30),
          decidedAt: at(3),
        });
        expect(second.approvals.map((d) => d.userId)).toEqual(['U1', 'U2']);

        const third = await approve('U3', 4);
        expect(third.outcome).toBe('not_pending');
        expect(third.request?.state).toBe('approved');
        expect((await store.listDecisions(input.id)).map((d) => d.userId)).toEqual(['U1', 'U2']);
      });

      it('lets exactly one of 20 concurrent approvers approve, and stores only that decision', async () => {
        const input = newRequest({ approvalsRequired: 1 });
        await store.createRequest(input);
        const replica = await fixture.reopen();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? store : replica).recordApproval({
              requestId: input.id,
              userId: `U${i}`,
              at: at(MINUTE),
              approvedDeadline: at(HOUR),
            }),
          ),
        );
        expectOneOf(results, (r) => r.outcome === 'approved');
        expect(results.filter((r) => r.outcome === 'not_pending')).toHaveLength(19);
        const winner = results.find((r) => r.outcome === 'approved')!;
        const decisions = await store.listDecisions(input.id);
        expect(decisions).toHaveLength(1);
        expect(decisions).toStrictEqual(winner.approvals);
      });

      it('counts 20 concurrent approvals by the same user once', async () => {
        const input = newRequest({ approvalsRequired: 2 });
        await store.createRequest(input);
        const replica = await fixture.reopen();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? store : replica).recordApproval({
              requestId: input.id,
              userId: 'U0SAME',
              at: at(MINUTE),
              approvedDeadline: at(HOUR),
            }),
          ),
        );
        expectOneOf(results, (r) => r.outcome === 'recorded');
        expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(19);
        expect(await store.listDecisions(input.id)).toHaveLength(1);
        expect((await store.getRequest(input.id))?.state).toBe('pending');
      });

      it('refuses an approval once the deadline has come, or for an unknown request', async () => {
        const input = newRequest({ deadline: at(HOUR) });
        await store.createRequest(input);
        const late = await store.recordApproval({
          requestId: input.id,
          userId: 'U1',
          at: at(HOUR),
          approvedDeadline: at(2 * HOUR),
        });
        expect(late).toMatchObject({ outcome: 'not_pending', approvals: [] });
        expect(late.request?.state).toBe('pending');
        expect(await store.listDecisions(input.id)).toEqual([]);

        const unknown = await store.recordApproval({
          requestId: 'req-unknown',
          userId: 'U1',
          at: at(1),
          approvedDeadline: null,
        });
        expect(unknown).toStrictEqual({ outcome: 'not_pending', request: null, approvals: [] });
      });

      it('denies a pending request with a reason, once', async () => {
        const input = newRequest({ approvalsRequired: 2 });
        await store.createRequest(input);
        await store.recordApproval({ requestId: input.id, userId: 'U1', at: at(1), approvedDeadline: null });

        const denied = await store.recordDenial({
          requestId: input.id,
          userId: 'U2',
          reason: 'too broad',
          at: at(2),
        });
        expect(denied.outcome).toBe('denied');
        expect(denied.request).toMatchObject({
          state: 'denied',
          decidedAt: at(2),
          updatedAt: at(2),
          deadline: null,
        });
        expect(await store.getRequest(input.id)).toStrictEqual(denied.request);
        expect(await store.listDecisions(input.id)).toStrictEqual([
          { requestId: input.id, userId: 'U1', decision: 'approve', reason: null, at: at(1) },
          { requestId: input.id, userId: 'U2', decision: 'deny', reason: 'too broad', at: at(2) },
        ]);

        const again = await store.recordDenial({
          requestId: input.id,
          userId: 'U3',
          reason: null,
          at: at(3),
        });
        expect(again.outcome).toBe('not_pending');
        expect(again.request?.state).toBe('denied');
        const approval = await store.recordApproval({
          requestId: input.id,
          userId: 'U3',
          at: at(3),
          approvedDeadline: null,
        });
        expect(approval.outcome).toBe('not_pending');
        expect(await store.listDecisions(input.id)).toHaveLength(2);
      });

      it('refuses a denial that is late, on a settled request or for an unknown one', async () => {
        const lapsed = newRequest({ deadline: at(HOUR) });
        const approved = newRequest({ state: 'approved' });
        await store.createRequest(lapsed);
        await store.createRequest(approved);
        const deny = (requestId: string, when: Date) =>
          store.recordDenial({ requestId, userId: 'U1', reason: null, at: when });

        expect((await deny(lapsed.id, at(HOUR))).outcome).toBe('not_pending');
        expect((await deny(approved.id, at(1))).outcome).toBe('not_pending');
        expect(await deny('req-unknown', at(1))).toStrictEqual({ outcome: 'not_pending', request: null });
        expect(await store.listDecisions(lapsed.id)).toEqual([]);
        expect((await store.getRequest(lapsed.id))?.state).toBe('pending');
      });
    });

    describe('key owners', () => {
      it('puts, gets, replaces, renames, lists and deletes key owners', async () => {
        const request = newRequest();
        await store.createRequest(request);
        const mine = owner({ ownerId: 'U1', requestId: request.id, createdAt: at(2) });
        const older = owner({ ownerId: 'U1', createdAt: at(1) });
        const theirs = owner({ ownerId: 'U2', createdAt: at(3) });
        for (const o of [mine, older, theirs]) await store.putKeyOwner(o);

        expect(await store.getKeyOwner(mine.keyId)).toStrictEqual(mine);
        expect(await store.getKeyOwner('no-such-key')).toBeNull();
        expect(await store.listKeyOwners('U1')).toStrictEqual([older, mine]);
        expect(await store.listKeyOwners()).toStrictEqual([older, mine, theirs]);
        expect(await store.listKeyOwners('U9')).toEqual([]);

        await store.renameKeyOwner(mine.keyId, 'renamed');
        expect(await store.getKeyOwner(mine.keyId)).toStrictEqual({ ...mine, keyName: 'renamed' });

        const handedOver = { ...theirs, ownerId: 'U1', keySuffix: 'zz99' };
        await store.putKeyOwner(handedOver);
        expect(await store.getKeyOwner(theirs.keyId)).toStrictEqual(handedOver);
        expect(await store.listKeyOwners('U2')).toEqual([]);

        await store.deleteKeyOwner(older.keyId);
        await store.deleteKeyOwner('no-such-key');
        await store.renameKeyOwner('no-such-key', 'x');
        expect(await store.getKeyOwner(older.keyId)).toBeNull();
        expect((await store.listKeyOwners()).map((o) => o.keyId)).toEqual([mine.keyId, theirs.keyId]);
      });

      it('remembers the policy role a key was approved under, and a changed one', async () => {
        const made = owner({ roleId: 'developer' });
        await store.putKeyOwner(made);
        expect((await store.getKeyOwner(made.keyId))?.roleId).toBe('developer');
        await store.setKeyOwnerRole(made.keyId, 'admin');
        expect(await store.getKeyOwner(made.keyId)).toStrictEqual({ ...made, roleId: 'admin' });
        await store.setKeyOwnerRole('no-such-key', 'admin');
        expect(await store.getKeyOwner('no-such-key')).toBeNull();
      });
    });

    describe('rotations and retirements', () => {
      const oldKey = '4b6c1a52-5b2e-4b8e-9d3e-0f7e8d6c5b4a';
      const successor = '9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c0d';

      it('round-trips the key a rotation request replaces', async () => {
        const rotation = { keyId: oldKey, keySuffix: '5b4a', overlapMs: 24 * HOUR };
        const input = newRequest({ rotation });
        expect((await store.createRequest(input)).rotation).toStrictEqual(rotation);
        expect((await store.getRequest(input.id))?.rotation).toStrictEqual(rotation);
        const plain = newRequest();
        expect((await store.createRequest(plain)).rotation).toBeNull();
      });

      async function retiring(keyId = oldKey, retireAt = at(HOUR)) {
        const request = await store.createRequest(newRequest());
        return store.putRetirement({
          keyId,
          keyName: 'etl-loader',
          keySuffix: keyId.slice(-4),
          ownerId: 'U0OWNER',
          requestId: request.id,
          successorKeyId: successor,
          successorSuffix: '9c0d',
          retireAt,
          at: T0,
        });
      }

      it('records a retirement once per key, and reads it back', async () => {
        const first = await retiring();
        expect(first).toMatchObject({
          keyId: oldKey,
          ownerId: 'U0OWNER',
          successorKeyId: successor,
          successorSuffix: '9c0d',
          retireAt: at(HOUR),
          stage: 'retiring',
          updatedAt: T0,
        });
        expect(await retiring(oldKey, at(5 * HOUR))).toBeNull();
        expect(await store.getRetirement(oldKey)).toStrictEqual(first);
        expect(await store.getRetirement(successor)).toBeNull();
      });

      it('lists retirements by stage and due time', async () => {
        const soon = await retiring(oldKey, at(HOUR));
        const later = await retiring(successor, at(3 * HOUR));
        expect(await store.listRetirements()).toStrictEqual([soon, later]);
        expect(await store.listRetirements({ retireBefore: at(2 * HOUR) })).toStrictEqual([soon]);
        expect(await store.listRetirements({ stages: ['disabled'] })).toStrictEqual([]);
      });

      it('advances a stage for exactly one of many concurrent callers, across instances', async () => {
        await retiring();
        const replica = await fixture.reopen();
        const step = { keyId: oldKey, from: 'retiring', to: 'disabled', at: at(2 * HOUR) } as const;
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 ? replica : store).advanceRetirement(step)),
        );
        expectOneOf(results, (r) => r !== null);
        expect(results.find((r) => r)?.stage).toBe('disabled');
        expect(await store.advanceRetirement(step)).toBeNull();
        const deleted = await replica.advanceRetirement({ ...step, from: 'disabled', to: 'deleted' });
        expect(deleted).toMatchObject({ stage: 'deleted', updatedAt: at(2 * HOUR) });
        expect(await store.listRetirements({ stages: ['deleted'] })).toHaveLength(1);
      });
    });

    describe('audit', () => {
      const event = (overrides: Partial<AuditInput> = {}): AuditInput => ({
        at: T0,
        actorId: 'U0ACTOR',
        action: 'request.submitted',
        outcome: 'ok',
        ...overrides,
      });

      it('appends events with increasing seq and every field, absent ones as null', async () => {
        const first = await store.appendAudit(event());
        const second = await store.appendAudit(
          event({
            at: at(5),
            actorId: 'system',
            action: 'key.create',
            outcome: 'attempt',
            requestId: 'req-1',
            keyId: 'key-1',
            keyName: 'etl',
            keySuffix: 'ey-1',
            upstreamRequestId: 'ch-req-9',
            detail: { role: 'developer', attempt: 2, nested: { ok: true }, list: [1, 'a'] },
          }),
        );
        expect(first).toStrictEqual({
          seq: first.seq,
          at: T0,
          actorId: 'U0ACTOR',
          action: 'request.submitted',
          outcome: 'ok',
          requestId: null,
          keyId: null,
          keyName: null,
          keySuffix: null,
          upstreamRequestId: null,
          detail: null,
          prevHash: null,
          hash: first.hash,
        });
        expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(Number.isInteger(first.seq)).toBe(true);
        expect(second.seq).toBeGreaterThan(first.seq);
        expect(second).toStrictEqual({
          seq: second.seq,
          at: at(5),
          actorId: 'system',
          action: 'key.create',
          outcome: 'attempt',
          requestId: 'req-1',
          keyId: 'key-1',
          keyName: 'etl',
          keySuffix: 'ey-1',
          upstreamRequestId: 'ch-req-9',
          detail: { role: 'developer', attempt: 2, nested: { ok: true }, list: [1, 'a'] },
          prevHash: first.hash,
          hash: second.hash,
        });
        expect(second.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(await store.listAudit()).toStrictEqual([first, second]);
      });

      it('lists events in seq order by request, by key, with a limit', async () => {
        const a1 = await store.appendAudit(event({ requestId: 'req-a', action: 'request.submitted' }));
        const b1 = await store.appendAudit(event({ requestId: 'req-b', keyId: 'key-b' }));
        const a2 = await store.appendAudit(
          event({ requestId: 'req-a', keyId: 'key-a', action: 'key.create' }),
        );
        const k = await store.appendAudit(event({ keyId: 'key-a', action: 'key.delete' }));
        const seqs = async (filter?: Parameters<Store['listAudit']>[0]) =>
          (await store.listAudit(filter)).map((e) => e.seq);

        expect(await seqs()).toEqual([a1.seq, b1.seq, a2.seq, k.seq]);
        expect(await seqs({ requestId: 'req-a' })).toEqual([a1.seq, a2.seq]);
        expect(await seqs({ keyId: 'key-a' })).toEqual([a2.seq, k.seq]);
        expect(await seqs({ requestId: 'req-a', keyId: 'key-a' })).toEqual([a2.seq]);
        expect(await seqs({ limit: 2 })).toEqual([a1.seq, b1.seq]);
        expect(await seqs({ requestId: 'req-none' })).toEqual([]);
      });

      it('cannot be rewritten: the database refuses UPDATE and DELETE, and the store has no way to ask', async () => {
        const written = await store.appendAudit(event({ requestId: 'req-x' }));
        await expect(fixture.rawExec("UPDATE audit_events SET action = 'forged'")).rejects.toThrow(
          /append-only/,
        );
        await expect(fixture.rawExec('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
        await expect(fixture.rawExec(`DELETE FROM audit_events WHERE seq = ${written.seq}`)).rejects.toThrow(
          /append-only/,
        );
        expect(await store.listAudit()).toStrictEqual([written]);

        const methods = new Set<string>();
        for (let proto = Object.getPrototypeOf(store); proto && proto !== Object.prototype; ) {
          for (const key of Object.getOwnPropertyNames(proto)) methods.add(key);
          proto = Object.getPrototypeOf(proto);
        }
        expect([...methods].filter((m) => /audit/i.test(m)).sort()).toEqual([
          'appendAudit',
          'auditChainHead',
          'listAudit',
          'readAuditChain',
        ]);
      });
    });

    describe('audit chain', () => {
      const event = (overrides: Partial<AuditInput> = {}): AuditInput => ({
        at: T0,
        actorId: 'U0ACTOR',
        action: 'request.submitted',
        outcome: 'ok',
        ...overrides,
      });
      const dropTriggers =
        name === 'postgres'
          ? 'DROP TRIGGER audit_events_append_only ON audit_events'
          : 'DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete';
      const COLUMNS = [
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
      ];
      /** Five events, each with its own fields, so every row hashes differently. */
      async function fiveEvents(): Promise<number[]> {
        const seqs: number[] = [];
        for (let i = 0; i < 5; i++) {
          const written = await store.appendAudit(
            event({
              at: at(i * MINUTE),
              action: `step.${i}`,
              keyName: `key-${i}`,
              detail: { i, b: 'x', a: [i] },
            }),
          );
          seqs.push(written.seq);
        }
        return seqs;
      }

      it('links every event to the one before it and verifies whole', async () => {
        const seqs = await fiveEvents();
        const events = await store.listAudit();
        for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
        expect(await store.auditChainHead()).toStrictEqual({
          headSeq: seqs[4],
          headHash: events[4]!.hash,
        });
        expect(await verifyAudit(store)).toStrictEqual({ ok: true, events: 5 });
      });

      it('finds a changed event', async () => {
        const seqs = await fiveEvents();
        await fixture.rawExec(
          `${dropTriggers}; UPDATE audit_events SET actor_id = 'U0FORGER' WHERE seq = ${seqs[2]}`,
        );
        const result = await verifyAudit(store);
        expect(result).toMatchObject({ ok: false, seq: seqs[2] });
        expect(JSON.stringify(result)).toMatch(/changed/);
      });

      it('finds a changed detail even when only a nested value moved', async () => {
        const seqs = await fiveEvents();
        const detail =
          name === 'postgres' ? `'{"i": 1, "b": "x", "a": [9]}'::jsonb` : `'{"i":1,"b":"x","a":[9]}'`;
        await fixture.rawExec(
          `${dropTriggers}; UPDATE audit_events SET detail = ${detail} WHERE seq = ${seqs[1]}`,
        );
        expect(await verifyAudit(store)).toMatchObject({ ok: false, seq: seqs[1] });
      });

      it('finds a removed event, in the middle and at the end', async () => {
        const seqs = await fiveEvents();
        await fixture.rawExec(`${dropTriggers}; DELETE FROM audit_events WHERE seq = ${seqs[2]}`);
        const middle = await verifyAudit(store);
        expect(middle).toMatchObject({ ok: false, seq: seqs[3] });
        expect(JSON.stringify(middle)).toMatch(/removed/);

        await fixture.rawExec(`DELETE FROM audit_events WHERE seq >= ${seqs[2]}`);
        await fixture.rawExec(`DELETE FROM audit_events WHERE seq = ${seqs[0]}`);
        expect(await verifyAudit(store)).toMatchObject({ ok: false, seq: seqs[1] });
      });

      it('finds the last event removed, by the chain head', async () => {
        const seqs = await fiveEvents();
        await fixture.rawExec(`${dropTriggers}; DELETE FROM audit_events WHERE seq = ${seqs[4]}`);
        const result = await verifyAudit(store);
        expect(result).toMatchObject({ ok: false, seq: seqs[4] });
        expect(JSON.stringify(result)).toMatch(/removed at the end/);
      });

      it('finds two events swapped', async () => {
        const seqs = await fiveEvents();
        const [a, b] = [seqs[1]!, seqs[2]!];
        const assign = COLUMNS.map((c) => `${c} = s.${c}`).join(', ');
        await fixture.rawExec(
          `${dropTriggers}; CREATE TABLE audit_swap AS SELECT * FROM audit_events WHERE seq IN (${a}, ${b});
           UPDATE audit_events SET ${assign} FROM audit_swap s WHERE audit_events.seq = ${a} AND s.seq = ${b};
           UPDATE audit_events SET ${assign} FROM audit_swap s WHERE audit_events.seq = ${b} AND s.seq = ${a};`,
        );
        const actions = (await store.listAudit()).map((e) => e.action);
        expect(actions).toEqual(['step.0', 'step.2', 'step.1', 'step.3', 'step.4']);
        const result = await verifyAudit(store);
        expect(result).toMatchObject({ ok: false, seq: a });
        expect(JSON.stringify(result)).toMatch(/reordered/);
      });

      it('keeps one valid chain when two stores append at once', async () => {
        const replica = await fixture.reopen();
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 ? store : replica).appendAudit(event({ action: `race.${i}`, at: at(i) })),
          ),
        );
        expect(await verifyAudit(store)).toStrictEqual({ ok: true, events: 40 });
        expect(new Set((await store.listAudit()).map((e) => e.prevHash)).size).toBe(40);
      });

      it('filters by key name or suffix, by user, by time, and gives the newest with a limit', async () => {
        const request = await store.createRequest(newRequest({ requesterId: 'U0ALICE', keyName: 'dev-etl' }));
        await store.putKeyOwner(owner({ keyId: 'key-owned', ownerId: 'U0CAROL', keySuffix: 'c4r0' }));
        const submitted = await store.appendAudit(
          event({ at: at(0), actorId: 'U0ALICE', requestId: request.id }),
        );
        const approved = await store.appendAudit(
          event({ at: at(MINUTE), actorId: 'U0DANA', action: 'request.approved', requestId: request.id }),
        );
        const created = await store.appendAudit(
          event({
            at: at(2 * MINUTE),
            actorId: 'U0ALICE',
            action: 'key.created',
            keyId: 'k1',
            keyName: 'dev-etl',
            keySuffix: 'Z9Y8',
          }),
        );
        const other = await store.appendAudit(
          event({
            at: at(3 * MINUTE),
            actorId: 'U0BOB',
            action: 'key.disable',
            keyId: 'key-owned',
            keyName: 'other',
            keySuffix: 'c4r0',
          }),
        );
        const seqs = async (filter: Parameters<Store['listAudit']>[0]) =>
          (await store.listAudit(filter)).map((e) => e.seq);
        expect(await seqs({ key: 'dev-etl' })).toEqual([submitted.seq, approved.seq, created.seq]);
        expect(await seqs({ key: '…Z9Y8' })).toEqual([created.seq]);
        expect(await seqs({ key: 'Z9Y8' })).toEqual([created.seq]);
        expect(await seqs({ key: 'nothing' })).toEqual([]);
        expect(await seqs({ user: 'U0ALICE' })).toEqual([submitted.seq, approved.seq, created.seq]);
        expect(await seqs({ user: 'U0DANA' })).toEqual([approved.seq]);
        expect(await seqs({ user: 'U0CAROL' })).toEqual([other.seq]);
        expect(await seqs({ since: at(MINUTE), until: at(3 * MINUTE) })).toEqual([approved.seq, created.seq]);
        expect(await seqs({ newest: true, limit: 2 })).toEqual([created.seq, other.seq]);
      });
    });

    describe('approved envelope and leak marks', () => {
      it("keeps a key's approved envelope: a date, never, or unknown; absent on write keeps it", async () => {
        const dated = owner({ approvedUntil: at(90 * 24 * HOUR) });
        const open = owner({ approvedUntil: 'never' });
        const unknown = owner();
        for (const o of [dated, open, unknown]) await store.putKeyOwner(o);
        expect(await store.getKeyOwner(dated.keyId)).toStrictEqual(dated);
        expect((await store.getKeyOwner(open.keyId))?.approvedUntil).toBe('never');
        expect((await store.getKeyOwner(unknown.keyId))?.approvedUntil).toBeNull();

        // A reassignment does not know the envelope: absent keeps it; null says unknown again.
        const { approvedUntil: _, ...withoutEnvelope } = dated;
        await store.putKeyOwner({ ...withoutEnvelope, ownerId: 'U0NEW' });
        expect(await store.getKeyOwner(dated.keyId)).toStrictEqual({ ...dated, ownerId: 'U0NEW' });
        await store.putKeyOwner({ ...open, approvedUntil: null });
        expect((await store.getKeyOwner(open.keyId))?.approvedUntil).toBeNull();

        await store.setApprovedUntil(unknown.keyId, 'never');
        expect((await store.getKeyOwner(unknown.keyId))?.approvedUntil).toBe('never');
        await store.setApprovedUntil(unknown.keyId, at(HOUR));
        expect((await store.listKeyOwners()).find((o) => o.keyId === unknown.keyId)?.approvedUntil).toEqual(
          at(HOUR),
        );
        await store.setApprovedUntil('no-such-key', at(HOUR));
        expect(await store.getKeyOwner('no-such-key')).toBeNull();
      });

      it('marks a key leaked once, reads the mark on every read, and lifts it', async () => {
        const key = owner();
        await store.putKeyOwner(key);
        const mark = { at: at(MINUTE), source: 'github' } as const;
        expect(await store.markLeaked(key.keyId, mark)).toBe(true);
        expect(await store.markLeaked(key.keyId, { at: at(2 * MINUTE), source: 'slack' })).toBe(false);
        expect(await store.markLeaked('no-such-key', mark)).toBe(false);
        const marked = { ...key, leak: mark };
        expect(await store.getKeyOwner(key.keyId)).toStrictEqual(marked);
        expect(await store.listKeyOwners(key.ownerId)).toStrictEqual([marked]);

        // putKeyOwner neither writes nor clears the mark.
        await store.putKeyOwner({ ...key, ownerId: 'U0NEW', leak: null });
        expect((await store.getKeyOwner(key.keyId))?.leak).toStrictEqual(mark);
        await store.deleteKeyOwner('other');

        expect(await store.liftLeak(key.keyId)).toBe(true);
        expect(await store.liftLeak(key.keyId)).toBe(false);
        expect(await store.liftLeak('no-such-key')).toBe(false);
        expect((await store.getKeyOwner(key.keyId))?.leak).toBeNull();
        expect(await store.markLeaked(key.keyId, { at: at(3 * MINUTE), source: 'report' })).toBe(true);
      });

      it('gives a leak mark to exactly one of many concurrent callers, across instances', async () => {
        const key = owner();
        await store.putKeyOwner(key);
        const replica = await fixture.reopen();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? store : replica).markLeaked(key.keyId, { at: at(i), source: 'slack' }),
          ),
        );
        expectOneOf(results, (won) => won);
      });
    });

    describe('people', () => {
      it('records what Slack said of a person: a change sets changedAt and counts deactivations', async () => {
        expect(await store.getPerson('U1')).toBeNull();
        expect(await store.recordPerson('U1', 'deactivated', at(1))).toStrictEqual({
          person: { userId: 'U1', status: 'deactivated', changedAt: at(1), deactivations: 1 },
          changed: true,
        });
        // The same status again changes nothing, not even the time.
        expect(await store.recordPerson('U1', 'deactivated', at(2))).toStrictEqual({
          person: { userId: 'U1', status: 'deactivated', changedAt: at(1), deactivations: 1 },
          changed: false,
        });
        expect(await store.recordPerson('U1', 'active', at(3))).toStrictEqual({
          person: { userId: 'U1', status: 'active', changedAt: at(3), deactivations: 1 },
          changed: true,
        });
        expect((await store.recordPerson('U1', 'deactivated', at(4))).person).toStrictEqual({
          userId: 'U1',
          status: 'deactivated',
          changedAt: at(4),
          deactivations: 2,
        });
        expect(await store.recordPerson('U2', 'active', at(5))).toStrictEqual({
          person: { userId: 'U2', status: 'active', changedAt: at(5), deactivations: 0 },
          changed: true,
        });
        expect(await (await fixture.reopen()).getPerson('U1')).toMatchObject({ deactivations: 2 });
        expect((await store.listPeople()).map((p) => p.userId)).toEqual(['U1', 'U2']);
        expect((await store.listPeople('deactivated')).map((p) => p.userId)).toEqual(['U1']);
        expect(await store.listPeople('active')).toStrictEqual([
          { userId: 'U2', status: 'active', changedAt: at(5), deactivations: 0 },
        ]);
      });

      it('lets exactly one of two concurrent callers reporting the same change see it, across instances', async () => {
        await store.recordPerson('U1', 'active', at(0));
        const replica = await fixture.reopen();
        for (const [i, status] of (['deactivated', 'active', 'deactivated'] as const).entries()) {
          const results = await Promise.all(
            Array.from({ length: 6 }, (_, j) =>
              (j % 2 ? store : replica).recordPerson('U1', status, at(i + 1)),
            ),
          );
          expectOneOf(results, (r) => r.changed);
          for (const r of results) expect(r.person.status).toBe(status);
        }
        // A first report of someone never seen, twice at once: one change.
        const first = await Promise.all([
          store.recordPerson('U9', 'deactivated', at(9)),
          replica.recordPerson('U9', 'deactivated', at(9)),
        ]);
        expectOneOf(first, (r) => r.changed);
        expect(await store.getPerson('U1')).toMatchObject({ status: 'deactivated', deactivations: 2 });
      });
    });

    describe('audit content', () => {
      it('takes any string the same way, as U+FFFD where UTF-8 text cannot hold it, and verifies', async () => {
        const written = await store.appendAudit({
          at: T0,
          actorId: 'U0\uD800ACTOR',
          action: 'drift.key_create',
          outcome: 'ok',
          keyName: 'made\u0000in-console',
          keySuffix: '\uDC00ab',
          detail: { 'na\u0000me': 'x\u0000y', list: ['\uD83D', '\uD83D\uDE00'] },
        });
        const expected = {
          actorId: 'U0\uFFFDACTOR',
          keyName: 'made\uFFFDin-console',
          keySuffix: '\uFFFDab',
          detail: { 'na\uFFFDme': 'x\uFFFDy', list: ['\uFFFD', '\uD83D\uDE00'] },
        };
        expect(written).toMatchObject(expected);
        expect(await store.listAudit()).toStrictEqual([written]);
        expect(await verifyAudit(store)).toStrictEqual({ ok: true, events: 1 });

        const request = newRequest({ reason: 'because\u0000', keyName: 'k\uD800' });
        expect(await store.createRequest(request)).toMatchObject({
          reason: 'because\uFFFD',
          keyName: 'k\uFFFD',
        });
        expect(await store.getRequest(request.id)).toMatchObject({ reason: 'because\uFFFD' });
      });

      it('refuses an event for its content as invalid_input, and a store that cannot answer as audit_failed', async () => {
        const refused = await store
          .appendAudit({ at: T0, actorId: 'U1', action: 'x', outcome: 'ok', detail: { n: 10n } })
          .catch((e: unknown) => e);
        expect(isKeyhouseError(refused, 'invalid_input')).toBe(true);
        expect(await store.listAudit()).toEqual([]);
        const replica = await fixture.reopen();
        await replica.close();
        const down = await replica
          .appendAudit({ at: T0, actorId: 'U1', action: 'x', outcome: 'ok' })
          .catch((e: unknown) => e);
        expect(isKeyhouseError(down, 'audit_failed')).toBe(true);
      });

      it('reads the chain head and every event in one snapshot', async () => {
        const a = await store.appendAudit({ at: T0, actorId: 'U1', action: 'a', outcome: 'ok' });
        const b = await store.appendAudit({ at: at(1), actorId: 'U1', action: 'b', outcome: 'ok' });
        expect(await store.readAuditChain()).toStrictEqual({
          head: { headSeq: b.seq, headHash: b.hash },
          events: [a, b],
        });
      });
    });

    describe('fingerprints and watch state', () => {
      it('stores a fingerprint with the owner, finds the owner by it, and never gives it back', async () => {
        const made = owner({ keyId: 'key-fp', fingerprint: 'ZmluZ2VycHJpbnQ=' });
        await store.putKeyOwner(made);
        await store.putKeyOwner(owner({ keyId: 'key-old' }));
        const found = await store.findKeyOwnerByFingerprint('ZmluZ2VycHJpbnQ=');
        expect(found).toStrictEqual({ ...owner({ keyId: 'key-fp' }), hasFingerprint: true });
        expect(JSON.stringify(await store.listKeyOwners())).not.toContain('ZmluZ2VycHJpbnQ=');
        expect((await store.getKeyOwner('key-old'))?.hasFingerprint).toBe(false);
        expect(await store.findKeyOwnerByFingerprint('b3RoZXI=')).toBeNull();

        // Reassigning or renaming a key keeps its fingerprint.
        await store.putKeyOwner(owner({ keyId: 'key-fp', ownerId: 'U0NEW' }));
        expect((await store.findKeyOwnerByFingerprint('ZmluZ2VycHJpbnQ='))?.ownerId).toBe('U0NEW');
      });

      it('finds the owners of many fingerprints in one read, one per fingerprint, and never gives them back', async () => {
        expect(await store.findKeyOwnersByFingerprints([])).toEqual([]);
        await store.putKeyOwner(owner({ keyId: 'key-a', fingerprint: 'YWFh', createdAt: at(MINUTE) }));
        await store.putKeyOwner(owner({ keyId: 'key-b', fingerprint: 'YmJi', ownerId: 'U0BOB' }));
        // Two rows with one fingerprint (never made by Keyhouse, but possible): the oldest answers.
        await store.putKeyOwner(owner({ keyId: 'key-b2', fingerprint: 'YmJi', createdAt: at(HOUR) }));
        await store.putKeyOwner(owner({ keyId: 'key-none' }));
        const strangers = Array.from({ length: 2000 }, (_, i) => `c3RyYW5nZXI${i}=`);
        const found = await store.findKeyOwnersByFingerprints([...strangers, 'YWFh', 'YmJi', 'YWFh']);
        expect(found.map((o) => o.keyId).sort()).toEqual(['key-a', 'key-b']);
        expect(found.find((o) => o.keyId === 'key-b')).toStrictEqual({
          ...owner({ keyId: 'key-b', ownerId: 'U0BOB' }),
          hasFingerprint: true,
        });
        expect(JSON.stringify(found)).not.toMatch(/YWFh|YmJi/);
        expect(await store.findKeyOwnersByFingerprints(strangers)).toEqual([]);
      });

      it('claims many activities in one write, each once across stores', async () => {
        expect(await store.claimActivities([], T0)).toEqual([]);
        expect(await store.claimActivity('leak:a', T0)).toBe(true);
        const replica = await fixture.reopen();
        const ids = Array.from({ length: 1500 }, (_, i) => `leak:${String.fromCharCode(97 + (i % 26))}${i}`);
        const [mine, theirs] = await Promise.all([
          store.claimActivities([...ids, 'leak:a', 'leak:a'], T0),
          replica.claimActivities(ids.slice(0, 700), T0),
        ]);
        expect([...mine, ...theirs].sort()).toEqual([...ids].sort());
        expect(mine).not.toContain('leak:a');
        expect(await store.claimActivity(ids[0]!, T0)).toBe(false);
        expect(await replica.claimActivities([ids[1]!, 'leak:new'], at(MINUTE))).toEqual(['leak:new']);
      });

      it('keeps named watch state and claims each activity once across stores', async () => {
        expect(await store.getWatchState('drift.cursor')).toBeNull();
        await store.putWatchState('drift.cursor', '2026-03-01T12:00:00.000Z', T0);
        await store.putWatchState('drift.cursor', '2026-03-01T13:00:00.000Z', at(HOUR));
        const replica = await fixture.reopen();
        expect(await replica.getWatchState('drift.cursor')).toBe('2026-03-01T13:00:00.000Z');
        const claims = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? store : replica).claimActivity('activity-1', T0)),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await store.claimActivity('activity-2', T0)).toBe(true);
      });
    });

    describe('message refs', () => {
      it('upserts one ref per request and kind', async () => {
        const request = newRequest();
        await store.createRequest(request);
        expect(await store.getMessageRefs(request.id)).toEqual([]);

        await store.putMessageRef({
          requestId: request.id,
          kind: 'dm',
          channel: 'D1',
          ts: '1700000000.000100',
        });
        await store.putMessageRef({
          requestId: request.id,
          kind: 'approval',
          channel: 'C1',
          ts: '1700000000.000200',
        });
        await store.putMessageRef({
          requestId: request.id,
          kind: 'dm',
          channel: 'D2',
          ts: '1700000000.000300',
        });

        expect(await store.getMessageRefs(request.id)).toStrictEqual([
          { requestId: request.id, kind: 'approval', channel: 'C1', ts: '1700000000.000200' },
          { requestId: request.id, kind: 'dm', channel: 'D2', ts: '1700000000.000300' },
        ]);
        expect(await store.getMessageRefs('req-other')).toEqual([]);
      });
    });

    describe('leases', () => {
      it('gives a lease to one holder until it expires, and lets the holder renew it', async () => {
        expect(await store.tryLease('expiry-sweep', 'replica-a', 10_000, at(0))).toBe(true);
        expect(await store.tryLease('expiry-sweep', 'replica-b', 10_000, at(5_000))).toBe(false);
        expect(await store.tryLease('other-timer', 'replica-b', 10_000, at(5_000))).toBe(true);

        // Renewal moves the expiry to at + ttl: b is still refused after the first term.
        expect(await store.tryLease('expiry-sweep', 'replica-a', 10_000, at(9_000))).toBe(true);
        expect(await store.tryLease('expiry-sweep', 'replica-b', 10_000, at(10_000))).toBe(false);
        expect(await store.tryLease('expiry-sweep', 'replica-b', 10_000, at(18_999))).toBe(false);

        // Expired at exactly at + ttl.
        expect(await store.tryLease('expiry-sweep', 'replica-b', 10_000, at(19_000))).toBe(true);
        expect(await store.tryLease('expiry-sweep', 'replica-a', 10_000, at(20_000))).toBe(false);
      });

      it('gives a free lease to exactly one of many concurrent takers', async () => {
        const replica = await fixture.reopen();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? store : replica).tryLease('sweep', `holder-${i}`, 1000, T0),
          ),
        );
        expectOneOf(results, (won) => won);
      });
    });

    describe('timer marks', () => {
      const claim = (overrides: Partial<TimerClaim> = {}): TimerClaim => ({
        rule: 'expiry.warning',
        subject: 'key-1',
        threshold: '86400000',
        holder: 'replica-a',
        dueAt: at(0),
        at: at(0),
        ...overrides,
      });

      it('claims a mark once, settles it, and lists it with every field', async () => {
        const mark = await store.claimTimer(claim({ detail: { keys: ['k1'] }, at: at(5_000) }));
        expect(mark).toStrictEqual({
          rule: 'expiry.warning',
          subject: 'key-1',
          threshold: '86400000',
          state: 'claimed',
          holder: 'replica-a',
          attempts: 1,
          dueAt: at(0),
          claimedAt: at(5_000),
          settledAt: null,
          detail: { keys: ['k1'] },
        });
        expect(await store.claimTimer(claim({ holder: 'replica-b', at: at(6_000) }))).toBeNull();
        // Only the holder settles, and only once.
        expect(
          await store.settleTimer({ ...claim(), holder: 'replica-b', state: 'done', at: at(7_000) }),
        ).toBe(false);
        expect(
          await store.settleTimer({ ...claim(), state: 'done', at: at(7_000), detail: { sent: 1 } }),
        ).toBe(true);
        expect(await store.settleTimer({ ...claim(), state: 'failed', at: at(8_000) })).toBe(false);
        // A done mark is never taken again, whatever attempts are allowed.
        expect(await store.claimTimer(claim({ holder: 'replica-b', maxAttempts: 5 }))).toBeNull();

        const other = await store.claimTimer(claim({ threshold: '604800000', at: at(9_000) }));
        expect(other?.detail).toBeNull();
        const marks = await fixture.reopen().then((replica) => replica.listTimerMarks());
        expect(marks.map((m) => [m.threshold, m.state, m.settledAt, m.detail])).toStrictEqual([
          ['86400000', 'done', at(7_000), { sent: 1 }],
          ['604800000', 'claimed', null, null],
        ]);
      });

      it('refuses a claim before its due time', async () => {
        expect(await store.claimTimer(claim({ dueAt: at(1), at: at(0) }))).toBeNull();
        expect(await store.listTimerMarks()).toEqual([]);
        expect(await store.claimTimer(claim({ dueAt: at(1), at: at(1) }))).not.toBeNull();
      });

      it('takes back a failed mark only while it has attempts left', async () => {
        await store.claimTimer(claim());
        // Without maxAttempts a failure is final.
        await store.settleTimer({ ...claim(), state: 'failed', at: at(1) });
        expect(await store.claimTimer(claim({ holder: 'replica-b' }))).toBeNull();

        const again = await store.claimTimer(claim({ holder: 'replica-b', maxAttempts: 2 }));
        expect(again).toMatchObject({ state: 'claimed', holder: 'replica-b', attempts: 2, settledAt: null });
        await store.settleTimer({ ...claim(), holder: 'replica-b', state: 'failed', at: at(2) });
        expect(await store.claimTimer(claim({ holder: 'replica-c', maxAttempts: 2 }))).toBeNull();
        expect(await store.claimTimer(claim({ holder: 'replica-c', maxAttempts: 3 }))).toMatchObject({
          attempts: 3,
        });
      });

      it('takes back an open claim only when asked to, once it is old enough, while it has attempts left', async () => {
        await store.claimTimer(claim({ at: at(1_000), maxAttempts: 2 }));
        // Never without `abandonedBefore`, nor while the claim is younger than it.
        expect(
          await store.claimTimer(claim({ holder: 'replica-b', at: at(5_000), maxAttempts: 2 })),
        ).toBeNull();
        expect(
          await store.claimTimer(
            claim({ holder: 'replica-b', at: at(5_000), maxAttempts: 2, abandonedBefore: at(999) }),
          ),
        ).toBeNull();
        const taken = await store.claimTimer(
          claim({ holder: 'replica-b', at: at(5_000), maxAttempts: 2, abandonedBefore: at(1_000) }),
        );
        expect(taken).toMatchObject({
          state: 'claimed',
          holder: 'replica-b',
          attempts: 2,
          claimedAt: at(5_000),
        });
        // The holder that was thought dead can no longer settle it; the new one can.
        expect(await store.settleTimer({ ...claim(), state: 'done', at: at(6_000) })).toBe(false);
        // Out of attempts: an open claim stays where it is.
        expect(
          await store.claimTimer(
            claim({ holder: 'replica-c', at: at(9_000), maxAttempts: 2, abandonedBefore: at(9_000) }),
          ),
        ).toBeNull();
        expect(
          await store.settleTimer({ ...claim(), holder: 'replica-b', state: 'done', at: at(6_000) }),
        ).toBe(true);
        // A done mark is never taken back as abandoned.
        expect(
          await store.claimTimer(
            claim({ holder: 'replica-c', at: at(9_000), maxAttempts: 5, abandonedBefore: at(9_000) }),
          ),
        ).toBeNull();
      });

      it('keeps the detail when a settle gives none, and clears it when it gives null', async () => {
        await store.claimTimer(claim({ detail: { a: 1 } }));
        await store.settleTimer({ ...claim(), state: 'done', at: at(1) });
        await store.claimTimer(claim({ subject: 'key-2', detail: { a: 2 } }));
        await store.settleTimer({ ...claim({ subject: 'key-2' }), state: 'done', at: at(1), detail: null });
        const marks = await store.listTimerMarks();
        expect(marks.map((m) => m.detail)).toStrictEqual([{ a: 1 }, null]);
      });

      it('filters by rules and subjects', async () => {
        await store.claimTimer(claim({ rule: 'a', subject: 's1' }));
        await store.claimTimer(claim({ rule: 'b', subject: 's1' }));
        await store.claimTimer(claim({ rule: 'b', subject: 's2' }));
        const pick = async (filter: Parameters<Store['listTimerMarks']>[0]) =>
          (await store.listTimerMarks(filter)).map((m) => `${m.rule}/${m.subject}`).sort();
        expect(await pick({ rules: ['b'] })).toEqual(['b/s1', 'b/s2']);
        expect(await pick({ subjects: ['s1'] })).toEqual(['a/s1', 'b/s1']);
        expect(await pick({ rules: ['a', 'b'], subjects: ['s2'] })).toEqual(['b/s2']);
        expect(await pick({ rules: [] })).toEqual([]);
      });

      it('gives a mark to exactly one of many concurrent claimers', async () => {
        const replica = await fixture.reopen();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? store : replica).claimTimer(claim({ holder: `holder-${i}` })),
          ),
        );
        expectOneOf(results, (mark) => mark !== null);
      });
    });

    describe('lifecycle', () => {
      it('migrates again harmlessly and shares its data with a second instance', async () => {
        const request = newRequest();
        await store.createRequest(request);
        const written = await store.appendAudit({
          at: T0,
          actorId: 'U1',
          action: 'request.submitted',
          outcome: 'ok',
        });
        await store.migrate();
        await store.migrate();

        const replica = await fixture.reopen();
        await replica.migrate();
        expect(await replica.getRequest(request.id)).toStrictEqual(await store.getRequest(request.id));
        expect(await replica.listAudit()).toStrictEqual([written]);

        const next = await replica.appendAudit({ at: T0, actorId: 'U1', action: 'x', outcome: 'ok' });
        expect(next.seq).toBeGreaterThan(written.seq);
        expect(await store.listAudit()).toHaveLength(2);
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('rejects a negative or fractional limit', async () => {
        const error = await store.listRequests({ limit: -1 }).catch((e: unknown) => e);
        expect(isKeyhouseError(error, 'invalid_input')).toBe(true);
        const auditError = await store.listAudit({ limit: 1.5 }).catch((e: unknown) => e);
        expect(isKeyhouseError(auditError, 'invalid_input')).toBe(true);
      });
    });
  });
}
