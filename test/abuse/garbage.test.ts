import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startFakeSlack } from '../../dev/fake-slack/index.js';
import { signSlackRequest } from '../../dev/fake-slack/signing.js';
import { ACTION, CALLBACK, keyBlockId } from '../../src/views/ids.js';
import {
  ALLOWED_STATUSES,
  abuse,
  assertAbuse,
  commandBody,
  effectsSince,
  eventBody,
  expectNoProblems,
  interactionBody,
  postRaw,
  type RawBody,
  rawBody,
  SLACK_ANSWER_MS,
  settle,
  snapshot,
  useAbuseWorld,
} from '../support/abuse.js';
import { garbageBody, hostileEvent } from '../support/arbitraries.js';
import { SIGNING_SECRET, USERS } from '../support/keyhouse.js';
import { startMain } from '../support/main-process.js';
import { appHomeOpened, blockAction, slashCommand } from '../support/slack-payloads.js';

const { alice, bob, carol, eve } = USERS;

/** `{label: answer}` for bodies posted at once (each Bolt leaves unanswered costs its 3 s timeout). */
async function answersTo(url: string, bodies: RawBody[]) {
  const answers = await Promise.all(bodies.map((body) => postRaw(url, body)));
  return Object.fromEntries(answers.map((a, i) => [bodies[i]?.label ?? String(i), a]));
}

describe('garbage, odd events and forged signatures', () => {
  const suite = useAbuseWorld();

  it('garbage and hostile events are answered, change nothing and never crash the process', async () => {
    const body = fc.oneof(garbageBody(suite.world), hostileEvent());
    await assertAbuse(
      fc.asyncProperty(fc.array(body, { minLength: 10, maxLength: 20 }), async (bodies) => {
        expectNoProblems(await abuse(suite.world, suite.state, bodies));
      }),
      { numRuns: 3 },
    );
  });

  // Each of these waits out a hang bound or Bolt's 3 s timeout today: they run side by side.
  describe.concurrent('requests Keyhouse leaves unanswered', () => {
    it('a JSON null body, or payload=null, is answered without an unhandled rejection', async () => {
      const before = suite.state.rejections.seen.length;
      const answers = await answersTo(suite.h.url, [
        rawBody('application/json', 'null', 'JSON null'),
        rawBody('application/x-www-form-urlencoded', 'payload=null', 'payload=null'),
      ]);
      expect({
        statuses: Object.values(answers).map((a) => a.status),
        rejections: suite.state.rejections.seen.slice(before).map(String),
      }).toEqual({ statuses: [400, 400], rejections: [] });
    });

    it('a signed JSON null body does not bring the real process (src/main.ts) down', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'keyhouse-abuse-null-'));
      const slack = await startFakeSlack();
      const policy = join(dir, 'policy.yml');
      await writeFile(
        policy,
        'approvalChannel: C0APPROVALS\nadmins: [U0ADMIN]\nroles:\n' +
          '  - { id: developer, label: Developer, grant: { roles: [developer] }, maxExpiry: 90d, approvals: 0 }\n',
      );
      const running = await startMain(dir, {
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        CLICKHOUSE_API_URL: 'http://127.0.0.1:9',
        CLICKHOUSE_KEY_ID: 'KEYIDabcd',
        CLICKHOUSE_KEY_SECRET: 'kept-private',
        DATABASE_URL: `sqlite:${join(dir, 'keyhouse.db')}`,
        KEYHOUSE_POLICY: policy,
      });
      try {
        const answer = await postRaw(running.url, rawBody('application/json', 'null', 'JSON null'));
        const health = await fetch(`${running.url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
          (r) => r.status,
          () => null,
        );
        expect({ answer: answer.status, health, stderr: running.output().stderr }).toEqual({
          answer: 400,
          health: 200,
          stderr: '',
        });
      } finally {
        await running.kill();
        await slack.close();
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('payloads no listener takes are refused within Slack’s 3 s, not at Bolt’s 3001 ms timeout', async () => {
      const answers = await answersTo(suite.h.url, [
        interactionBody(
          blockAction({
            user: eve,
            actionId: 'keyhouse.unknown',
            value: 'x',
            responseUrl: suite.mintResponseUrl(),
            triggerId: 'x',
          }),
          'unknown action id',
        ),
        interactionBody(
          { type: 'view_submission', user: { id: eve }, view: { callback_id: 'keyhouse.unknown' } },
          'unknown callback id',
        ),
        commandBody({ command: '/other', text: 'help', user_id: eve }, 'unknown command'),
        rawBody('application/x-www-form-urlencoded', '', 'empty form'),
      ]);
      const late = Object.entries(answers)
        .filter(
          ([, a]) => a.status === null || !ALLOWED_STATUSES.includes(a.status) || a.ms >= SLACK_ANSWER_MS,
        )
        .map(([label, a]) => `${label}: ${a.status} after ${Math.round(a.ms)} ms`);
      expect(late).toEqual([]);
    });
  });

  it('envelopes Bolt cannot read are refused with 400 or 401, never 500', async () => {
    const approve = (overrides: Record<string, unknown>) => ({
      ...blockAction({
        user: eve,
        actionId: ACTION.approve,
        value: suite.world.requests.pending[0] ?? '',
        responseUrl: suite.mintResponseUrl(),
        triggerId: 'x',
      }),
      ...overrides,
    });
    const answers = await answersTo(suite.h.url, [
      interactionBody(approve({ user: undefined }), 'a click without user'),
      interactionBody(approve({ user: null }), 'a click with user null'),
      interactionBody(approve({ team: { id: 'constructor' } }), 'a click from team "constructor"'),
      commandBody(
        {
          ...(slashCommand({ user_id: eve, text: 'help' }) as unknown as Record<string, string>),
          team_id: 'toString',
        },
        'a command from team "toString"',
      ),
      eventBody(
        { type: 'event_callback', event: { type: 'message', user: null } },
        'an event whose user is null',
      ),
      eventBody({ type: 'event_callback', event: null }, 'an event that is null'),
    ]);
    expect(
      Object.fromEntries(
        Object.entries(answers).map(([label, a]) => [label, a.status === 400 || a.status === 401]),
      ),
    ).toEqual(Object.fromEntries(Object.keys(answers).map((label) => [label, true])));
  });

  it('App Home opened by odd users publishes nothing for anyone else and changes nothing', async () => {
    const before = await snapshot(suite.world);
    const calls = suite.h.slack.calls.length;
    const odd = [eve, 'u0admin', 'U0ADMIN\u200b', 'W0BOB', '*'];
    await answersTo(
      suite.h.url,
      odd.map((user) => eventBody(appHomeOpened({ user }), `home of ${user}`)),
    );
    await settle(suite.h);
    const published = suite.h.slack.calls
      .slice(calls)
      .filter((c) => c.method === 'views.publish')
      .map((c) => String(c.args.user_id));
    expect(published.every((user) => odd.includes(user))).toBe(true);
    // An odd id is nobody's owner: their Home tab lists no key.
    const homes = JSON.stringify(suite.h.slack.calls.slice(calls).map((c) => c.args));
    for (const name of ['alice-etl', 'bob-dashboards', 'carol-endpoints', 'console-made'])
      expect(homes).not.toContain(name);
    expect(await effectsSince(suite.world, before)).toEqual([]);
    suite.state.before = await snapshot(suite.world);
  });

  describe('forged and stale signatures', () => {
    /** Bodies that would act if they were signed: an approval, a Create key click, a disable, a modal. */
    function wouldAct(): RawBody[] {
      const { world } = suite;
      const bobKey = world.foreignKeyIds[0] ?? '';
      return [
        interactionBody(
          blockAction({
            user: bob,
            actionId: ACTION.approve,
            value: world.requests.pending[0] ?? '',
            responseUrl: suite.mintResponseUrl(),
            triggerId: 'x',
          }),
          'Bob approves Dave’s request',
        ),
        interactionBody(
          blockAction({
            user: carol,
            actionId: ACTION.createKey,
            value: world.requests.approved[0] ?? '',
            responseUrl: suite.mintResponseUrl(),
            triggerId: 'x',
          }),
          'Carol creates her key',
        ),
        interactionBody(
          blockAction({
            user: bob,
            actionId: ACTION.keyMenu,
            actionType: 'overflow',
            blockId: keyBlockId('mine', 0, bobKey),
            selectedOption: { value: `disable:${bobKey}` },
            responseUrl: suite.mintResponseUrl(),
            triggerId: 'x',
          }),
          'Bob disables his key',
        ),
        commandBody(
          slashCommand({
            user_id: alice,
            text: '',
            trigger_id: suite.h.slack.newTriggerId(alice),
          }) as unknown as Record<string, string>,
          'Alice opens the request modal',
        ),
        eventBody(appHomeOpened({ user: alice }), 'Alice opens her App Home'),
        interactionBody(
          {
            type: 'view_submission',
            user: { id: bob },
            view: {
              callback_id: CALLBACK.denyModal,
              private_metadata: world.requests.pending[0],
              state: { values: {} },
            },
          },
          'Bob denies Dave’s request',
        ),
      ];
    }

    const now = () => Math.floor(Date.now() / 1000);
    const forgeries: [string, (body: RawBody) => Parameters<typeof postRaw>[2]][] = [
      ['a wrong signature', () => ({ signature: `v0=${'0'.repeat(64)}` })],
      [
        'a signature with another secret',
        (b) => ({ signature: signSlackRequest(b.raw, `${SIGNING_SECRET}x`, now())['x-slack-signature'] }),
      ],
      [
        'the signature of another body',
        (b) => ({ signature: signSlackRequest(`${b.raw}&x=1`, SIGNING_SECRET, now())['x-slack-signature'] }),
      ],
      ['a timestamp 6 minutes old', () => ({ timestampSec: now() - 360 })],
      ['a timestamp 6 minutes ahead', () => ({ timestampSec: now() + 360 })],
      ['no signature headers', () => ({ unsigned: true })],
    ];

    it.each(forgeries)('bodies with %s are refused 401 and have no effect', async (_, forge) => {
      const before = await snapshot(suite.world);
      const bodies = wouldAct();
      const answers = await Promise.all(bodies.map((body) => postRaw(suite.h.url, body, forge(body))));
      expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 401));
      await settle(suite.h);
      expect(await effectsSince(suite.world, before)).toEqual([]);
      // Not even a refusal: nothing was said to Slack and nothing was audited.
      expect(suite.h.slack.calls.length + suite.h.slack.responseUrlPosts.length).toBe(
        before.slackCalls + before.responseUrlPosts,
      );
      expect((await suite.h.store.listAudit({})).at(-1)?.seq ?? 0).toBe(before.auditSeq);
    });
  });
});
