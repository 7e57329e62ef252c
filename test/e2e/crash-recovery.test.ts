/**
 * Kills a real Keyhouse process at the worst moment — after ClickHouse created the key, before
 * the secret was shown (the emulator makes the key and holds its answer; the test kills the process once the
 * emulator has made the key: no fault hook in Keyhouse itself) — then starts it again on the same database (product.md §2): no key may be
 * left whose secret nobody received, the request is not lost, and the requester is told.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../dev/emulator/server.js';
import { type FakeSlack, startFakeSlack } from '../../dev/fake-slack/index.js';
import { postToApp, type SlackRequestBody } from '../../dev/fake-slack/slack-http.js';
import type { KeyRequest, Store } from '../../src/core/model.js';
import { openStore } from '../../src/store/index.js';
import { ACTION, BLOCK, CALLBACK, expiryBlockId } from '../../src/views/ids.js';
import { APPROVAL_CHANNEL, SIGNING_SECRET, USERS } from '../support/keyhouse.js';
import { repoRoot } from '../support/requirements.js';
import { blockAction, SLACK_TEST_DEFAULTS, stateValue, viewSubmission } from '../support/slack-payloads.js';

const { alice, bob } = USERS;
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

describe('crash recovery', () => {
  let dir: string;
  let slack: FakeSlack;
  let clickhouse: Emulator;
  let running: Running[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyhouse-crash-'));
    slack = await startFakeSlack();
    clickhouse = await startEmulator();
    running = [];
    await writeFile(
      join(dir, 'policy.json'),
      JSON.stringify({
        approvalChannel: APPROVAL_CHANNEL,
        approvers: [bob],
        admins: [USERS.admin],
        roles: [
          {
            id: 'developer',
            label: 'Developer',
            grant: { roles: ['developer'] },
            maxExpiry: '90d',
            approvals: 1,
          },
        ],
      }),
    );
  });

  afterEach(async () => {
    for (const r of running)
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await Promise.all(running.map((r) => r.exited));
    await slack.close();
    await clickhouse.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts `src/main.ts` as `npm start` would, and waits until it listens. */
  async function startKeyhouse(extraEnv: Record<string, string> = {}): Promise<Running> {
    const child = spawn(process.execPath, ['--import', tsx, join(repoRoot, 'src/main.ts')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        SLACK_BOT_TOKEN: SLACK_TEST_DEFAULTS.botToken,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        CLICKHOUSE_API_URL: clickhouse.url,
        CLICKHOUSE_KEY_ID: clickhouse.adminKey.keyId,
        CLICKHOUSE_KEY_SECRET: clickhouse.adminKey.keySecret,
        DATABASE_URL: `sqlite:${join(dir, 'keyhouse.db')}`,
        KEYHOUSE_POLICY: join(dir, 'policy.json'),
        PORT: '0',
        LOG_LEVEL: 'debug',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      out += chunk;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const started = Date.now();
    let port: number | null = null;
    while (port === null) {
      const match = /"port":(\d+)/.exec(out);
      if (match) port = Number(match[1]);
      // A ceiling, not a timing claim: the start is awaited by its line, and a busy machine (two
      // suites at once) can take many seconds to load a process from cold.
      else if (child.exitCode !== null || Date.now() - started > 90_000)
        throw new Error(`Keyhouse did not start:\n${out}`);
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const r = { child, url: `http://127.0.0.1:${port}`, exited, output: () => out };
    running.push(r);
    return r;
  }

  const post = (to: Running, body: SlackRequestBody) =>
    postToApp(to.url, body, { signingSecret: SIGNING_SECRET });

  async function until<T>(
    what: string,
    check: () => Promise<T> | T,
    timeoutMs = 10_000,
  ): Promise<NonNullable<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value as NonNullable<T>;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function readRequest(id: string): Promise<KeyRequest | null> {
    const store: Store = await openStore(`sqlite:${join(dir, 'keyhouse.db')}`);
    try {
      return await store.getRequest(id);
    } finally {
      await store.close();
    }
  }

  function click(to: Running, user: string, actionId: string, value: string, channel: string) {
    return post(to, {
      kind: 'interaction',
      payload: blockAction({
        user,
        actionId,
        value,
        channel,
        responseUrl: slack.newResponseUrl({ user, channel }),
        triggerId: slack.newTriggerId(user),
      }),
    });
  }

  it('a crash between create and delivery leaves no orphaned key; after restart the requester can create it', async () => {
    const first = await startKeyhouse();
    await post(first, {
      kind: 'interaction',
      payload: viewSubmission({
        user: alice,
        callbackId: CALLBACK.requestModal,
        values: {
          [BLOCK.keyName]: { [ACTION.keyNameInput]: 'crash-key' },
          [BLOCK.role]: { [ACTION.roleSelect]: stateValue.staticSelect('developer') },
          [expiryBlockId('developer')]: { [ACTION.expirySelect]: stateValue.staticSelect('30d') },
          [BLOCK.reason]: { [ACTION.reasonInput]: 'Survives a crash, we hope' },
          [BLOCK.ipList]: { [ACTION.ipListInput]: null },
        },
      }),
    });
    const posted = await until('the approval message', () => slack.messages(APPROVAL_CHANNEL)[0]);
    const requestId =
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(
        JSON.stringify(posted.blocks),
      )?.[0] ?? '';
    await click(first, bob, ACTION.approve, requestId, APPROVAL_CHANNEL);
    await until('the Create key DM', () =>
      slack.messages(alice).find((m) => JSON.stringify(m).includes(ACTION.createKey)),
    );

    // ClickHouse makes the key but never answers; the moment the emulator has the key, Keyhouse is
    // killed: it was waiting for an answer it will never read, the secret shown to nobody.
    clickhouse.createThenFail(1, 'hang');
    await click(first, alice, ACTION.createKey, requestId, slack.dmChannel(alice));
    await until('ClickHouse to make the key', () => clickhouse.keys().some((k) => k.name === 'crash-key'));
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The key was made, its secret went nowhere, and the request is stuck mid-creation.
    expect(clickhouse.keys().filter((k) => k.name === 'crash-key')).toHaveLength(1);
    expect((await readRequest(requestId))?.state).toBe('creating');
    expect(slack.responseUrlPosts.filter((p) => /curl --user/.test(JSON.stringify(p.body)))).toHaveLength(0);

    const second = await startKeyhouse();
    await until('the orphaned key to be deleted', () =>
      clickhouse.keys().every((k) => k.name !== 'crash-key'),
    );
    await until(
      'the request to return to approved',
      async () => (await readRequest(requestId))?.state === 'approved',
    );
    await until('the requester to be told', () =>
      slack.messages(alice).some((m) => /restarted/i.test(JSON.stringify(m))),
    );

    // The Create key button posted before the crash still works.
    await click(second, alice, ACTION.createKey, requestId, slack.dmChannel(alice));
    await until('delivery', async () => (await readRequest(requestId))?.state === 'delivered');
    expect(clickhouse.keys().filter((k) => k.name === 'crash-key')).toHaveLength(1);
    const shown = slack.responseUrlPosts.filter((p) => /curl --user/.test(JSON.stringify(p.body)));
    expect(shown).toHaveLength(1);
    const secret = /curl --user '[^':]+:([^']+)'/.exec(JSON.stringify(shown[0]?.body))?.[1] ?? '';
    expect(second.output()).not.toContain(secret);
    expect(first.output()).not.toContain(secret);

    // SIGTERM: a clean stop.
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.output()).toMatch(/"drained":true/);
  }, 240_000);
});
