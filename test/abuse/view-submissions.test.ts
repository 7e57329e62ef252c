import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION, BLOCK, CALLBACK, expiryBlockId } from '../../src/views/ids.js';
import {
  type AbuseWorld,
  abuse,
  answerProblem,
  assertAbuse,
  effectsSince,
  expectNoProblems,
  interactionBody,
  postRaw,
  programmingErrors,
  settle,
  snapshot,
  useAbuseWorld,
} from '../support/abuse.js';
import { hostileViewSubmission } from '../support/arbitraries.js';
import { USERS } from '../support/keyhouse.js';
import { stateValue, viewSubmission } from '../support/slack-payloads.js';

const { alice, eve } = USERS;

describe('hostile submissions of Keyhouse’s modals', () => {
  const suite = useAbuseWorld();

  it('are answered within 3 s, change nothing, only read ClickHouse and show no secret', async () => {
    const submission = hostileViewSubmission(suite.world, suite.mintResponseUrl);
    await assertAbuse(
      fc.asyncProperty(fc.array(submission, { minLength: 1, maxLength: 6 }), async (bodies) => {
        expectNoProblems(await abuse(suite.world, suite.state, bodies));
      }),
      { numRuns: 25 },
    );
  });

  const context = (keyId: string) => JSON.stringify({ keyId, surface: { kind: 'home' } });
  const editValues = {
    [BLOCK.editName]: { [ACTION.editName]: 'renamed-by-someone-else' },
    [BLOCK.editRole]: { [ACTION.editRole]: stateValue.staticSelect('keep') },
    [BLOCK.editReason]: { [ACTION.editReason]: '' },
  };
  const requestValues = (roleId: string) => ({
    [BLOCK.keyName]: { [ACTION.keyNameInput]: 'eve-wants-admin' },
    [BLOCK.role]: { [ACTION.roleSelect]: stateValue.staticSelect(roleId) },
    [expiryBlockId(roleId)]: { [ACTION.expirySelect]: stateValue.staticSelect('7d') },
    [BLOCK.reason]: { [ACTION.reasonInput]: 'I would like every key please' },
    [BLOCK.ipList]: { [ACTION.ipListInput]: null },
  });

  type Submission = (world: AbuseWorld) => {
    callbackId: string;
    metadata: string;
    values: Record<string, Record<string, unknown>>;
  };
  const inModal: [string, string, Submission, string, RegExp][] = [
    [
      'Eve renames Bob’s key through a crafted edit context',
      eve,
      (w) => ({
        callbackId: CALLBACK.editModal,
        metadata: context(w.foreignKeyIds[0] ?? ''),
        values: editValues,
      }),
      BLOCK.editName,
      /only the key.s owner or an admin/i,
    ],
    [
      'Alice renames Keyhouse’s own key',
      alice,
      (w) => ({
        callbackId: CALLBACK.editModal,
        metadata: context(w.foreignKeyIds[3] ?? ''),
        values: editValues,
      }),
      BLOCK.editName,
      /only the key.s owner or an admin/i,
    ],
    [
      'Eve submits an edit dialog whose context is garbage',
      eve,
      () => ({ callbackId: CALLBACK.editModal, metadata: '{"keyId":"../../x"}', values: editValues }),
      BLOCK.editName,
      /out of date/i,
    ],
    [
      'Eve denies Dave’s request through a stale deny dialog',
      eve,
      (w) => ({ callbackId: CALLBACK.denyModal, metadata: w.requests.pending[0] ?? '', values: {} }),
      BLOCK.denyReason,
      /only approvers/i,
    ],
    [
      'Eve requests a role the policy does not have',
      eve,
      () => ({ callbackId: CALLBACK.requestModal, metadata: '', values: requestValues('superuser') }),
      BLOCK.role,
      /may not request this role/i,
    ],
  ];

  it.each(inModal)(
    '%s: answered inside the modal, nothing changes',
    async (_, user, submit, block, words) => {
      const before = await snapshot(suite.world);
      const { callbackId, metadata, values } = submit(suite.world);
      const payload = viewSubmission({
        user,
        callbackId,
        privateMetadata: metadata,
        values: values as never,
      });
      const answer = await postRaw(suite.h.url, interactionBody(payload, callbackId));
      expect(answer.status).toBe(200);
      const errors = (JSON.parse(answer.body) as { errors: Record<string, string> }).errors;
      expect(errors[block]).toMatch(words);
      await settle(suite.h);
      expect(await effectsSince(suite.world, before)).toEqual([]);
      suite.state.before = await snapshot(suite.world);
    },
  );

  it('Eve confirms the delete dialog of Bob’s key: refused in words by DM, the key stays', async () => {
    const before = await snapshot(suite.world);
    const bobKey = suite.world.foreignKeyIds[0] ?? '';
    const payload = viewSubmission({
      user: eve,
      callbackId: CALLBACK.deleteModal,
      privateMetadata: context(bobKey),
      values: {},
    });
    const answer = await postRaw(suite.h.url, interactionBody(payload, 'delete'));
    expect(answer.status).toBe(200);
    const told = await suite.h.slack.waitFor(() =>
      suite.h.slack.messages(eve).find((m) => /owner or an admin/i.test(String(m.text))),
    );
    expect(String(told.text)).not.toMatch(/Error:|\bat \S+:\d+/);
    await settle(suite.h);
    expect(await effectsSince(suite.world, before)).toEqual([]);
    expect(suite.h.clickhouse.keys().some((k) => k.id === bobKey)).toBe(true);
    suite.state.before = await snapshot(suite.world);
  });

  it('malformed request and deny submissions are each answered within 3 s, without a crash', async () => {
    const logsBefore = suite.h.logs.length;
    const malformed: Record<string, Record<string, unknown>> = {
      'request modal without state': { callback_id: CALLBACK.requestModal, state: undefined },
      'request modal with state.values null': { callback_id: CALLBACK.requestModal, state: { values: null } },
      'deny dialog whose metadata is no request id': {
        callback_id: CALLBACK.denyModal,
        private_metadata: 'x',
      },
      'deny dialog with empty metadata': { callback_id: CALLBACK.denyModal, private_metadata: '' },
    };
    // Sent together: each one Keyhouse fails to acknowledge costs Bolt's 3 s timeout.
    const answers = await Promise.all(
      Object.entries(malformed).map(async ([label, view]) => {
        const payload = viewSubmission({ user: eve, callbackId: String(view.callback_id), values: {} });
        const body = interactionBody({ ...payload, view: { ...payload.view, ...view } }, label);
        return [label, answerProblem(body, await postRaw(suite.h.url, body))] as const;
      }),
    );
    await settle(suite.h);
    expect({
      answers: Object.fromEntries(answers),
      crashes: programmingErrors(suite.h.logs.slice(logsBefore)),
    }).toEqual({
      answers: Object.fromEntries(Object.keys(malformed).map((label) => [label, null])),
      crashes: [],
    });
  });
});
