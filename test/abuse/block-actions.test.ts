import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION, keyBlockId } from '../../src/views/ids.js';
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
import { hostileBlockAction } from '../support/arbitraries.js';
import { USERS } from '../support/keyhouse.js';
import { blockAction } from '../support/slack-payloads.js';

const { alice, eve } = USERS;

describe('hostile clicks on Keyhouse’s buttons and menus', () => {
  const suite = useAbuseWorld();

  it('are answered within 3 s, change nothing, only read ClickHouse and show no secret', async () => {
    const click = hostileBlockAction(suite.world, suite.mintResponseUrl, suite.mintTrigger);
    await assertAbuse(
      fc.asyncProperty(fc.array(click, { minLength: 1, maxLength: 6 }), async (bodies) => {
        expectNoProblems(await abuse(suite.world, suite.state, bodies));
      }),
      { numRuns: 25 },
    );
  });

  type Aim = (world: AbuseWorld) => { actionId: string; value?: string; option?: string };
  const bobKey = (w: AbuseWorld) => w.foreignKeyIds[0] ?? '';
  const selfKey = (w: AbuseWorld) => w.foreignKeyIds[3] ?? '';
  const cases: [string, string, Aim, RegExp][] = [
    [
      'Eve approves Dave’s request',
      eve,
      (w) => ({ actionId: ACTION.approve, value: w.requests.pending[0] }),
      /only approvers/i,
    ],
    [
      'Eve opens the deny dialog of Dave’s request',
      eve,
      (w) => ({ actionId: ACTION.deny, value: w.requests.pending[0] }),
      /only approvers/i,
    ],
    [
      'Alice approves her own request',
      alice,
      (w) => ({ actionId: ACTION.approve, value: w.requests.pending[1] }),
      /your own request/i,
    ],
    [
      'Eve creates the key of Carol’s approved request',
      eve,
      (w) => ({ actionId: ACTION.createKey, value: w.requests.approved[0] }),
      /only the person who requested/i,
    ],
    [
      'Alice creates the key of Carol’s delivered request',
      alice,
      (w) => ({ actionId: ACTION.createKey, value: w.requests.delivered[0] }),
      /only the person who requested/i,
    ],
    [
      'Eve approves with a value that is no request id',
      eve,
      () => ({ actionId: ACTION.approve, value: 'delete:../../x' }),
      /no longer refers to a request/i,
    ],
    [
      'Eve disables Bob’s key',
      eve,
      (w) => ({ actionId: ACTION.keyMenu, option: `disable:${bobKey(w)}` }),
      /only the key.s owner or an admin/i,
    ],
    [
      'Alice deletes Keyhouse’s own key',
      alice,
      (w) => ({ actionId: ACTION.keyMenu, option: `delete:${selfKey(w)}` }),
      /only the key.s owner or an admin/i,
    ],
    [
      'Eve picks `disable:../../x` in a menu',
      eve,
      () => ({ actionId: ACTION.keyMenu, option: 'disable:../../x' }),
      /no longer refers to a key/i,
    ],
    [
      'Eve pages through every key',
      eve,
      () => ({ actionId: ACTION.listPage, value: 'all:0' }),
      /only approvers and admins/i,
    ],
  ];

  it.each(cases)('%s: refused in words, ephemerally, and nothing changes', async (_, user, aim, words) => {
    const before = await snapshot(suite.world);
    const { actionId, value, option } = aim(suite.world);
    const responseUrl = suite.mintResponseUrl();
    const payload = blockAction({
      user,
      actionId,
      ...(value === undefined ? {} : { value }),
      ...(option === undefined
        ? {}
        : {
            selectedOption: { value: option },
            actionType: 'overflow',
            blockId: keyBlockId('mine', 0, bobKey(suite.world)),
          }),
      responseUrl,
      triggerId: suite.mintTrigger(),
    });
    const answer = await postRaw(suite.h.url, interactionBody(payload, actionId));
    expect(answer.status).toBe(200);
    const told = await suite.h.slack.waitFor(() =>
      suite.h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id)),
    );
    const text = String(told.body.text);
    expect(told.body.response_type).toBe('ephemeral');
    expect(text).toMatch(words);
    expect(text).not.toMatch(/Error:|\bat \S+:\d+|Reference:/);
    await settle(suite.h);
    expect(await effectsSince(suite.world, before)).toEqual([]);
    suite.state.before = await snapshot(suite.world);
  });

  it.each([
    ['“I’ve saved it”', ACTION.dismissSecret, 'x'],
    ['a list page button', ACTION.listPage, 'mine:0'],
  ])(
    '%s clicked where there is no response_url (a modal) is refused without a crash',
    async (_, actionId, value) => {
      const logsBefore = suite.h.logs.length;
      const payload = blockAction({
        user: eve,
        actionId,
        value,
        responseUrl: '',
        triggerId: suite.mintTrigger(),
        view: { type: 'modal', private_metadata: '' },
      });
      delete (payload as { response_url?: string }).response_url;
      const body = interactionBody(payload, actionId);
      const answer = await postRaw(suite.h.url, body);
      await settle(suite.h);
      expect({
        answer: answerProblem(body, answer),
        crashes: programmingErrors(suite.h.logs.slice(logsBefore)),
      }).toEqual({ answer: null, crashes: [] });
    },
  );
});
