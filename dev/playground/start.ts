/**
 * Starts the playground: the ClickHouse Cloud emulator, the stand-in Slack (the fake Web API and
 * response URLs, plus the web page that plays Slack's client), and Keyhouse's own entry point
 * `src/main.ts` as a child process, configured only by its environment as in production, with a fake
 * Vault and a fake GitHub behind the policy's destinations (destinations.ts). The fake Slack is up
 * first, because Keyhouse calls `auth.test` as it starts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadPolicy } from '../../src/policy/index.js';
import { startEmulator } from '../emulator/server.js';
import { SLACK_TEST_DEFAULTS } from '../fake-slack/defaults.js';
import { startFakeSlack } from '../fake-slack/index.js';
import type { FakeVault } from '../fake-vault/server.js';
import { type DestinationsFeed, startDestinations } from './destinations.js';
import { explainEach, peopleFor } from './people.js';
import { startPageServer } from './server.js';
import { reportRefusals, SlackSide } from './slack-side.js';

export const DEMO_POLICY = fileURLToPath(new URL('./demo-policy.yml', import.meta.url));
const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const COMMAND = '/chkey';
const APP_NAME = 'Keyhouse';

export interface PlaygroundOptions {
  /** Policy file; default the demo policy. */
  policyPath?: string;
  /** The page's port; 0 picks a free one. */
  port?: number;
  /**
   * How long an acknowledgement is waited for; default Slack's 3 s. Only the browser test raises it, so a
   * busy machine makes it slower, not red.
   */
  ackTimeoutMs?: number;
}

/** How Keyhouse's process ended: its exit code, or the signal that ended it (`code` is then null). */
export interface KeyhouseExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** "exit code 1" or "the signal SIGKILL (killed, perhaps for memory)", for a person. */
export function describeExit({ code, signal }: KeyhouseExit): string {
  if (signal === null) return `exit code ${code}`;
  const why: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed: by someone, or by the system for memory',
    SIGTERM: 'asked to stop',
    SIGINT: 'interrupted',
    SIGSEGV: 'crashed',
    SIGABRT: 'aborted',
  };
  return `the signal ${signal}${why[signal] ? ` (${why[signal]})` : ''}`;
}

export interface Playground {
  /** The page to open. */
  url: string;
  /** Keyhouse's own address (its `/slack/events`, `/healthz`). */
  keyhouseUrl: string;
  /**
   * Keyhouse's log lines (pino JSON) are written here. Removed with the rest by `close()`, except
   * when Keyhouse stopped on its own: then it is kept, to read why.
   */
  logFile: string;
  /** Keyhouse's process id (the tests stop it under the playground). */
  keyhousePid: number | undefined;
  /** Resolves with how Keyhouse ended if it stops. */
  keyhouseExited: Promise<KeyhouseExit>;
  /** The fake Vault behind the policy's Vault destinations: `read('secret', 'clickhouse/<key name>')`. */
  vault: FakeVault;
  /** What the fake Vault and the fake GitHub hold, as the page's Destinations panel and the terminal show it. */
  destinations: DestinationsFeed;
  close(): Promise<void>;
}

function waitForPort(child: ChildProcess, onLine: (chunk: string) => void): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let seen = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onLine(chunk.toString());
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      onLine(text);
      seen += text;
      const port = /"port":(\d+)/.exec(seen)?.[1];
      if (port !== undefined) {
        seen = '';
        resolvePort(Number(port));
      } else if (seen.length > 100_000) {
        seen = seen.slice(-1000);
      }
    });
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `Keyhouse stopped with ${describeExit({ code, signal })} before listening: ${stderr.trim()}`,
        ),
      ),
    );
  });
}

export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const policyPath = resolve(options.policyPath ?? DEMO_POLICY);
  // Parsed here too, to know whom and which channels to show; Keyhouse parses it again itself.
  const policy = await loadPolicy(policyPath);
  const people = peopleFor(policy);
  people.explain = await explainEach(
    people,
    policy,
    await readFile(policyPath, 'utf8'),
    basename(policyPath),
  );
  const dir = await mkdtemp(join(tmpdir(), 'keyhouse-playground-'));
  const logFile = join(dir, 'keyhouse.log');

  const emulator = await startEmulator({});
  // A key made in the console, so `/chkey list all` shows one Keyhouse does not own.
  emulator.addKey({ name: 'made-in-the-console', roles: ['developer'] });
  const fake = await startFakeSlack({
    users: Object.fromEntries(people.people.map((p) => [p.id, { name: p.name }])),
    usergroups: people.usergroups,
  });

  // A fake GitHub with secret scanning (`/github-alert <secret>` in the page sends Keyhouse an alert),
  // and a fake Vault: together they stand behind the policy's destinations (product.md §12).
  let keyhouseUrlNow = '';
  const {
    vault,
    github,
    feed: destinations,
  } = await startDestinations(policy.destinations, () => keyhouseUrlNow);

  const signingSecret = randomBytes(16).toString('hex');
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, join(REPO_ROOT, 'src/main.ts')], {
    // A scratch directory, so a developer's `.env` is not read.
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: SLACK_TEST_DEFAULTS.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: fake.apiUrl,
      SLACK_COMMAND: COMMAND,
      PORT: '0',
      CLICKHOUSE_API_URL: emulator.url,
      CLICKHOUSE_KEY_ID: emulator.adminKey.keyId,
      CLICKHOUSE_KEY_SECRET: emulator.adminKey.keySecret,
      CLICKHOUSE_ORG_ID: emulator.organizationId,
      DATABASE_URL: `sqlite:${join(dir, 'keyhouse.db')}`,
      KEYHOUSE_POLICY: policyPath,
      LOG_LEVEL: 'info',
      VAULT_ADDR: vault.url,
      VAULT_ROLE_ID: vault.roleId,
      VAULT_SECRET_ID: vault.secretId,
      ...github.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  const keyhouseExited = new Promise<KeyhouseExit>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );

  const stopAll = async () => {
    // Keyhouse stopping on its own is what its log must explain: that stays, the rest goes.
    const diedOnItsOwn = child.exitCode !== null || child.signalCode !== null;
    if (!diedOnItsOwn) {
      child.kill('SIGTERM');
      await keyhouseExited;
    }
    await new Promise<void>((done) => log.end(() => done()));
    await fake.close();
    await github.close();
    await emulator.close();
    await vault.close();
    if (!diedOnItsOwn) {
      await rm(dir, { recursive: true, force: true });
      return;
    }
    for (const file of await readdir(dir)) {
      if (join(dir, file) !== logFile) await rm(join(dir, file), { recursive: true, force: true });
    }
  };

  let port: number;
  try {
    port = await waitForPort(child, (text) => log.write(text));
  } catch (error) {
    await stopAll();
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${why}\n(Keyhouse's log is kept at ${logFile})`);
  }
  const keyhouseUrl = `http://127.0.0.1:${port}`;
  keyhouseUrlNow = keyhouseUrl;

  let page: Awaited<ReturnType<typeof startPageServer>> | null = null;
  const side = new SlackSide({
    fake,
    appUrl: keyhouseUrl,
    signingSecret,
    command: COMMAND,
    people,
    changed: () => page?.changed(),
    ...(options.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: options.ackTimeoutMs }),
  });
  reportRefusals(fake, side);
  try {
    page = await startPageServer({
      fake,
      side,
      people,
      appName: APP_NAME,
      command: COMMAND,
      githubAlert: (secret) => github.alert(secret),
      destinations,
      port: options.port ?? 0,
    });
  } catch (error) {
    await stopAll();
    throw error;
  }
  const server = page;
  return {
    url: server.url,
    keyhouseUrl,
    logFile,
    keyhousePid: child.pid,
    vault,
    destinations,
    keyhouseExited,
    close: async () => {
      await server.close();
      await stopAll();
    },
  };
}
