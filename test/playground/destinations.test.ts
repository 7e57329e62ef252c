/**
 * The playground's Destinations panel (product.md §12): Keyhouse's own writer delivers a key, then
 * its successor, into the playground's fake Vault and fake GitHub (acme/etl, added for the policy's
 * destination with the App installed), and every open page is sent what they hold: key ids, names,
 * versions and times, never the secret. The terminal's lines are the page's (one source).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeSlack } from '../../dev/fake-slack/index.js';
import { startFakeSlack } from '../../dev/fake-slack/index.js';
import type { FakeVault } from '../../dev/fake-vault/server.js';
import {
  type DestinationsFeed,
  type PlaygroundDestinations,
  startDestinations,
} from '../../dev/playground/destinations.js';
import type { PlaygroundGitHub } from '../../dev/playground/github-alert.js';
import type { PlaygroundPeople } from '../../dev/playground/people.js';
import { type PageServer, startPageServer } from '../../dev/playground/server.js';
import { SlackSide } from '../../dev/playground/slack-side.js';
import type { Snapshot } from '../../dev/playground/snapshot.js';
import type { Destination } from '../../src/core/policy-model.js';
import { Secret } from '../../src/core/secret.js';
import { Destinations } from '../../src/delivery/index.js';
import { GitHubAppClient } from '../../src/github/index.js';
import { VaultClient } from '../../src/vault/index.js';

const ALICE = 'U0ALICE';
const people: PlaygroundPeople = {
  people: [{ id: ALICE, name: 'Alice Ahmed', part: 'requester' }],
  usergroups: {},
  channels: [{ id: 'C0GENERAL', name: 'general' }],
  general: 'C0GENERAL',
};
const DESTINATIONS: Destination[] = [
  { id: 'vault-demo', type: 'vault-kv', mount: 'secret', path: 'clickhouse/{keyName}' },
  {
    id: 'github-demo',
    type: 'github-actions',
    repository: 'acme/etl',
    names: { keyId: 'CLICKHOUSE_KEY_ID', keySecret: 'CLICKHOUSE_KEY_SECRET' },
  },
  // As an operator's own policy (`--policy`) might name them: another mount, path, owner, environment, names.
  { id: 'vault-team', type: 'vault-kv', mount: 'kv', path: 'teams/{role}/{keyName}' },
  {
    id: 'deploy-prod',
    type: 'github-actions',
    repository: 'other-org/deploy',
    environment: 'production',
    names: { keyId: 'CH_ID', keySecret: 'CH_SECRET' },
  },
];
const [VAULT_DEST, GITHUB_DEST, VAULT_TEAM, DEPLOY_PROD] = DESTINATIONS as [
  Destination,
  Destination,
  Destination,
  Destination,
];
const FIRST = { keyId: 'KEYIDFIRST01', secret: `4b1d${'F'.repeat(38)}` };
const SECOND = { keyId: 'KEYIDSECOND2', secret: `4b1d${'N'.repeat(38)}` };

const item = (key: { keyId: string; secret: string }) => ({
  keyId: key.keyId,
  secret: new Secret(key.secret),
  keyName: 'etl-vault',
  roleId: 'terraform',
  requesterId: ALICE,
  expireAt: '2027-03-07T02:51:00.000Z',
});

/** One page's event stream, snapshot by snapshot. */
async function* snapshots(url: string, signal: AbortSignal): AsyncGenerator<Snapshot> {
  const response = await fetch(url, { signal });
  if (response.body === null) throw new Error('no stream');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const end = buffer.indexOf('\n\n');
    if (end >= 0) {
      const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
      buffer = buffer.slice(end + 2);
      if (data !== undefined) yield JSON.parse(data) as Snapshot;
      continue;
    }
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
  }
}

/** The first snapshot whose panel passes `test`: the stream is the signal, no clock is guessed. */
async function until(stream: AsyncGenerator<Snapshot>, test: (panel: string) => boolean): Promise<Snapshot> {
  // next(), not for-await: leaving a for-await would end the stream for the next wait.
  for (;;) {
    const { value, done } = await stream.next();
    if (done) throw new Error('the stream ended first');
    if (test(value.destinations)) return value;
  }
}

describe('the Destinations panel', () => {
  let slack: FakeSlack;
  let fakes: PlaygroundDestinations;
  let vault: FakeVault;
  let github: PlaygroundGitHub;
  let server: PageServer;
  let writer: Destinations;
  let feed: DestinationsFeed;

  beforeAll(async () => {
    slack = await startFakeSlack({ users: { [ALICE]: { name: 'Alice Ahmed' } } });
    // What start.ts starts for the policy: the fakes, and the feed the page and the terminal follow.
    fakes = await startDestinations(DESTINATIONS, () => 'http://127.0.0.1:9');
    ({ vault, github, feed } = fakes);
    const side = new SlackSide({
      fake: slack,
      appUrl: 'http://127.0.0.1:9',
      signingSecret: 'unused',
      command: '/chkey',
      people,
      changed: () => server.changed(),
    });
    server = await startPageServer({
      fake: slack,
      side,
      people,
      appName: 'Keyhouse',
      command: '/chkey',
      destinations: feed,
      port: 0,
    });
    const logger = pino({ level: 'silent' });
    writer = new Destinations({
      github: new GitHubAppClient({
        apiUrl: github.fake.url,
        appId: github.fake.app.id,
        privateKey: new Secret(github.fake.app.privateKeyPem),
        retry: { maxAttempts: 1 },
        logger,
      }),
      vault: new VaultClient({
        addr: vault.url,
        auth: { roleId: vault.roleId, secretId: new Secret(vault.secretId) },
        retry: { maxAttempts: 1 },
        logger,
      }),
      logger,
    });
  });
  afterAll(async () => {
    await server.close();
    await slack.close();
    await fakes.close();
  });

  it('the page has the panel, empty until a key arrives', async () => {
    const html = await (await fetch(server.url)).text();
    expect(html).toContain('<aside class="destinations" aria-label="Destinations"><h2>Destinations</h2>');
    const controller = new AbortController();
    const stream = snapshots(new URL(`events?user=${ALICE}`, server.url).href, controller.signal);
    const first = await until(stream, () => true);
    controller.abort();
    expect(first.destinations).toContain('vault-demo: Vault KV secret/clickhouse/{keyName}');
    expect(first.destinations).toContain(
      'github-demo: GitHub Actions acme/etl, CLICKHOUSE_KEY_ID and CLICKHOUSE_KEY_SECRET',
    );
    expect(first.destinations).toContain('No key has arrived yet.');
  });

  it('shows a key, then its successor, arriving in Vault and GitHub: ids and versions, never the secret', async () => {
    const controller = new AbortController();
    const stream = snapshots(new URL(`events?user=${ALICE}`, server.url).href, controller.signal);
    await until(stream, () => true);

    // Nothing on the page is asked for: the writes alone bring the new panel to the open page.
    await writer.write(VAULT_DEST, item(FIRST));
    await writer.write(GITHUB_DEST, item(FIRST));
    let seen = await until(
      stream,
      (panel) =>
        panel.includes(`data-key-id="${FIRST.keyId}"`) &&
        panel.includes(`GitHub Actions: acme/etl holds key ${FIRST.keyId}`),
    );
    expect(seen.destinations).toContain('<code>secret/clickhouse/etl-vault</code>');
    expect(seen.destinations).toMatch(/<b>version 1<\/b> <span class="dest-tag">current<\/span>/);
    expect(seen.destinations).toContain('etl-vault · role terraform · expires 2027-03-07 02:51:00 UTC');
    expect(seen.destinations).toContain('(42 characters, kept in Vault)');
    expect(seen.destinations).toContain('<code>acme/etl</code>');
    expect(seen.destinations).toContain(`Key ID <code>${FIRST.keyId}</code>`);

    // A rotation: the successor is the next version, and GitHub's pair is updated.
    await writer.write(VAULT_DEST, item(SECOND));
    await writer.write(GITHUB_DEST, item(SECOND));
    seen = await until(
      stream,
      (panel) =>
        panel.includes(`data-version="2" data-key-id="${SECOND.keyId}"`) &&
        panel.includes(`GitHub Actions: acme/etl holds key ${SECOND.keyId}`),
    );
    controller.abort();
    const panel = seen.destinations;
    // The newest version first and current; the first one kept below it.
    expect(panel.indexOf(`data-key-id="${SECOND.keyId}"`)).toBeLessThan(
      panel.indexOf(`data-key-id="${FIRST.keyId}"`),
    );
    expect(panel).toMatch(/class="dest-version current" data-version="2"/);
    expect(panel).toMatch(/class="dest-version" data-version="1"/);

    // The terminal's lines are the panel's, oldest first there, newest first here.
    const lines = feed.view().arrivals.map((a) => a.line);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Vault: secret/clickhouse/etl-vault version 1 holds key ${FIRST.keyId} \\(etl-vault, role terraform, expires 2027-03-07 02:51:00 UTC\\) and its secret; written \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^GitHub Actions: acme/etl holds key ${FIRST.keyId} \\(CLICKHOUSE_KEY_ID\\) and its secret \\(CLICKHOUSE_KEY_SECRET\\); updated `,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^Vault: secret/clickhouse/etl-vault version 2 holds key ${SECOND.keyId} `),
      ),
      expect.stringMatching(new RegExp(`^GitHub Actions: acme/etl holds key ${SECOND.keyId} `)),
    ]);
    for (const line of [...lines].reverse()) expect(panel).toContain(`<li>${line}</li>`);
    expect(panel.indexOf(lines[3] ?? '?')).toBeLessThan(panel.indexOf(lines[0] ?? '?'));

    // The secrets are in the fakes (GitHub opened its sealed boxes), never on the page or in a line.
    expect(vault.read('secret', 'clickhouse/etl-vault')?.keySecret).toBe(SECOND.secret);
    expect(github.fake.secretsWritten().map((w) => w.value)).toContain(FIRST.secret);
    for (const secret of [FIRST.secret, SECOND.secret]) {
      expect(JSON.stringify(seen)).not.toContain(secret);
      expect(JSON.stringify(feed.view())).not.toContain(secret);
      // Not even a recognisable piece of it.
      expect(JSON.stringify(feed.view())).not.toContain(secret.slice(4, 14));
    }
  });

  it("an operator's own destinations (--policy): other mounts, paths, repositories and environments take Keyhouse's writes", async () => {
    const key = { keyId: 'KEYIDTEAM003', secret: `4b1d${'T'.repeat(38)}` };
    await writer.write(VAULT_TEAM, item(key));
    await writer.write(DEPLOY_PROD, item(key));
    const view = feed.view();
    expect(view.vault.find((p) => p.path === 'kv/teams/terraform/etl-vault')?.versions[0]?.keyId).toBe(
      key.keyId,
    );
    expect(view.github.find((s) => s.scope === 'other-org/deploy (environment production)')?.secrets).toEqual(
      [
        { name: 'CH_ID', updatedAt: expect.stringMatching(/ UTC$/), keyId: key.keyId },
        { name: 'CH_SECRET', updatedAt: expect.stringMatching(/ UTC$/), keyId: null },
      ],
    );
    expect(view.arrivals.at(-1)?.line).toMatch(
      new RegExp(
        `^GitHub Actions: other-org/deploy \\(environment production\\) holds key ${key.keyId} \\(CH_ID\\) and its secret \\(CH_SECRET\\)`,
      ),
    );
    expect(JSON.stringify(view)).not.toContain(key.secret);
  });
});
