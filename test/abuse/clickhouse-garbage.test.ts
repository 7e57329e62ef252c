import { describe, expect, it } from 'vitest';
import type { EmulatorRoute } from '../../dev/emulator/routes.js';
import { ACTION, CALLBACK, keyBlockId } from '../../src/views/ids.js';
import { settle, stillServes } from '../support/abuse.js';
import { Harness, USERS } from '../support/keyhouse.js';
import { blockAction, viewSubmission } from '../support/slack-payloads.js';

const { alice } = USERS;
const KINDS = ['non-json', 'truncated', 'wrong-types', 'trickle'] as const;
const DAY_MS = 86_400_000;

/**
 * The emulator's secrets are `4b1d` + 38 alphanumerics. A garbled create answer may carry one that
 * Keyhouse never hands out; its text must not reach a log line either (the delivered secret and
 * the bot's own are checked by value).
 */
// Standing on its own, as a secret in a log line would: the audit chain's 64-digit hex hashes,
// logged with every event, now and then hold `4b1d` and 38 more hex digits inside them.
const SECRET_SHAPE = /(?<![A-Za-z0-9])4b1d[A-Za-z0-9]{38}(?![A-Za-z0-9])/;
/** What a user must never be shown instead of words. */
const INTERNALS = /\bat \S+:\d+|Error:|TypeError|undefined|\[object Object\]/;

function credentialsIn(body: unknown): { keyId: string; secret: string } | null {
  const match = /curl --user '([^':]+):([^']+)'/.exec(JSON.stringify(body));
  return match?.[1] && match[2] ? { keyId: match[1], secret: match[2] } : null;
}

/** Everything Slack received for a response URL and by DM to `user`, as text. */
function toldTo(h: Harness, user: string, responseUrl: string, acked: unknown = null): string {
  return JSON.stringify([
    // A list ready in time is the command's ack itself.
    acked === null ? [] : [acked],
    h.slack.responseUrlPosts.filter((p) => responseUrl.endsWith(p.id)).map((p) => p.body),
    h.slack.messages(user).map((m) => m.text),
  ]);
}

async function withHarness(run: (h: Harness) => Promise<void>): Promise<void> {
  const h = await Harness.start();
  try {
    await run(h);
    // Whatever ClickHouse said, Keyhouse still serves, and no secret reached a log or the database.
    expect(await stillServes(h)).toEqual([]);
    expect(SECRET_SHAPE.exec(h.logs)?.[0] ?? null).toBeNull();
    const own = h.traces(h.clickhouse.adminKey.keySecret);
    expect({ logs: own.logs, database: own.database, slack: own.slackAttempts }).toEqual({
      logs: 0,
      database: 0,
      slack: [],
    });
  } finally {
    await h.close();
  }
}

describe.concurrent('ClickHouse answering garbage while a key is created', () => {
  it.each(KINDS)(
    'a %s create answer leaves no half-made key, the requester is told, and a retry delivers once',
    (kind) =>
      withHarness(async (h) => {
        const keyName = `etl-${kind}`;
        const request = await h.approvedRequest(alice, {
          keyName,
          roleId: 'developer',
          expiry: '7d',
          reason: 'Reads the events table nightly',
        });

        h.clickhouse.garbageNext('createKey', 1, kind);
        const first = await h.createKey(alice, request.id);
        expect(first.response.status).toBe(200);
        const settled = await h.until(
          async () => {
            const state = (await h.store.getRequest(request.id))?.state;
            return state === 'approved' || state === 'delivered' ? state : null;
          },
          `request ${request.id} to settle`,
          8_000,
        );
        await settle(h);
        expect(h.clickhouse.requests.some((r) => r.route === 'createKey')).toBe(true);
        const keys = () => h.clickhouse.keys().filter((k) => k.name === keyName);

        if (settled === 'approved') {
          // Nothing was left behind, and the requester read why in words on their click.
          expect(keys()).toEqual([]);
          const told = toldTo(h, alice, first.responseUrl);
          expect(told).toMatch(/ClickHouse/);
          expect(told).not.toMatch(INTERNALS);
          expect(credentialsIn(told)).toBeNull();
          const again = await h.createKey(alice, request.id);
          await h.untilState(request.id, 'delivered');
          await settle(h);
          expect(
            h.slack.responseUrlPosts.filter((p) => again.responseUrl.endsWith(p.id) && credentialsIn(p.body)),
          ).toHaveLength(1);
        }
        // Exactly one key, whose secret was shown exactly once, to the requester, and nowhere else.
        expect(keys()).toHaveLength(1);
        const reveals = h.slack.responseUrlPosts.filter((p) => p.status === 200 && credentialsIn(p.body));
        expect(reveals).toHaveLength(1);
        const secret = credentialsIn(reveals[0]?.body)?.secret ?? '';
        expect(h.traces(secret)).toEqual({
          slackMessages: 1,
          slackAttempts: ['response_url:ok'],
          logs: 0,
          database: 0,
          clickhouseLog: 0,
        });
      }),
  );
});

type Action = 'list' | 'disable' | 'delete';
const SCENARIOS: [EmulatorRoute, Action][] = [
  ['listKeys', 'list'],
  ['getKey', 'disable'],
  ['updateKey', 'disable'],
  ['deleteKey', 'delete'],
];

/**
 * Alice acts on her own key while ClickHouse garbles one answer. Returns what she was told, and
 * the key as ClickHouse and the store have it afterwards.
 */
/** The text of `user`'s key list: in the ack when it was ready at once, else on the response URL. */
async function listAnswer(h: Harness, user: string): Promise<string> {
  const { response, responseUrl } = await h.command(user, 'list');
  if ((response.json as { blocks?: unknown } | null)?.blocks !== undefined)
    return JSON.stringify(response.json);
  const post = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id)));
  return JSON.stringify(post.body);
}

async function actWhileGarbled(h: Harness, route: EmulatorRoute, action: Action, garble: () => void) {
  const made = h.clickhouse.addKey({
    name: 'alice-etl',
    roles: ['developer'],
    expireAt: new Date(Date.now() + 30 * DAY_MS).toISOString(),
  });
  const keyId = made.key.id;
  await h.store.putKeyOwner({
    keyId,
    ownerId: alice,
    requestId: null,
    keyName: 'alice-etl',
    keySuffix: made.key.keySuffix,
    createdAt: new Date(Date.now() - DAY_MS),
  });
  garble();
  let responseUrl = h.slack.newResponseUrl({ user: alice, channel: 'C0GENERAL' });
  let acked: unknown = null;
  if (action === 'list') {
    const command = await h.command(alice, 'list');
    responseUrl = command.responseUrl;
    acked = command.response.json;
  } else if (action === 'disable') {
    // No list first: the key is then read by id (GET …/keys/{id}) rather than from a cached list.
    const payload = blockAction({
      user: alice,
      actionId: ACTION.keyMenu,
      actionType: 'overflow',
      blockId: keyBlockId('mine', 0, keyId),
      selectedOption: { value: `disable:${keyId}` },
      responseUrl,
      triggerId: h.slack.newTriggerId(alice),
    });
    await h.post({ kind: 'interaction', payload });
  } else {
    const context = JSON.stringify({ keyId, surface: { kind: 'list', responseUrl, scope: 'mine', page: 0 } });
    await h.post({
      kind: 'interaction',
      payload: viewSubmission({
        user: alice,
        callbackId: CALLBACK.deleteModal,
        privateMetadata: context,
        values: {},
      }),
    });
  }
  // A trickled answer takes about 2 s, and retries that fail on every attempt use up Alice's half of
  // the budget (api/budget.ts), so the answer may come a window later: wait for it, generously.
  await h.until(() => toldTo(h, alice, responseUrl, acked).length > 10, 'an answer to Alice', 60_000);
  await settle(h, 200);
  expect(h.clickhouse.requests.some((r) => r.route === route)).toBe(true);
  const key = h.clickhouse.keys().find((k) => k.id === keyId) ?? null;
  const audit = await h.store.listAudit({ keyId });
  return {
    told: toldTo(h, alice, responseUrl, acked),
    key,
    owner: await h.store.getKeyOwner(keyId),
    attempts: audit.filter((e) => e.outcome === 'attempt').length,
    outcomes: audit.filter((e) => e.outcome === 'ok' || e.outcome === 'failed').length,
  };
}

/**
 * Alice was told something, in words, and it was true: success where the change happened, and an
 * error that claims nothing changed only where nothing did. The audit closes every attempt, and a
 * key gone from ClickHouse is gone from the store.
 */
function checkTold(action: Action, after: Awaited<ReturnType<typeof actWhileGarbled>>) {
  const { told, key, owner } = after;
  const success = {
    list: /Your ClickHouse keys/,
    disable: /Disabled alice-etl/,
    delete: /Deleted alice-etl/,
  }[action];
  const changed =
    action === 'disable' ? key?.state === 'disabled' : action === 'delete' ? key === null : false;
  const saysSuccess = success.test(told);
  const saysNothingChanged = /did not complete|Nothing was changed/i.test(told);
  expect({
    answered: saysSuccess || /ClickHouse/.test(told),
    internals: INTERNALS.exec(told)?.[0] ?? null,
    successIsTrue: !saysSuccess || changed || action === 'list',
    errorIsTrue: !saysNothingChanged || !changed,
    auditClosed: after.outcomes >= after.attempts,
    ownerMatches: key !== null || owner === null,
  }).toEqual({
    answered: true,
    internals: null,
    successIsTrue: true,
    errorIsTrue: true,
    auditClosed: true,
    ownerMatches: true,
  });
}

describe.concurrent('ClickHouse answering garbage to reads and writes', () => {
  const cases = SCENARIOS.flatMap(([route, action]) => KINDS.map((kind) => [route, kind, action] as const));

  it.each(cases)(
    '%s answered %s while Alice does `%s`: she is told the truth in words',
    (route, kind, action) =>
      withHarness(async (h) => {
        const after = await actWhileGarbled(h, route, action, () => h.clickhouse.garbageNext(route, 1, kind));
        checkTold(action, after);
        // A later list works and shows ClickHouse as it is.
        const text = await listAnswer(h, alice);
        if (after.key === null) expect(text).not.toContain('alice-etl');
        else expect(text).toContain(after.key.state === 'disabled' ? 'disabled' : 'enabled');
      }),
  );

  it.each([
    ['listKeys', 'list', 503],
    ['updateKey', 'disable', 500],
    ['deleteKey', 'delete', 502],
  ] as const)(
    '%s failing on every retry (%s, %i): Alice is told in words, nothing half-done',
    (route, action, status) =>
      withHarness(async (h) => {
        const after = await actWhileGarbled(h, route, action, () => h.clickhouse.failNext(route, 4, status));
        checkTold(action, after);
        expect(after.key?.state).toBe('enabled');
      }),
  );
});
