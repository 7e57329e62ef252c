/**
 * The playground's fake GitHub alert (product.md §11, §13): `/github-alert <secret>` makes GitHub find
 * the secret and tell Keyhouse, and the person reads what became of the alert. First the module
 * against an in-process Keyhouse (a key of Alice's: resolved as revoked), then the whole playground,
 * Keyhouse started from its environment as in production, answering the page's command.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type PlaygroundGitHub, startPlaygroundGitHub } from '../../dev/playground/github-alert.js';
import { type Playground, startPlayground } from '../../dev/playground/start.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { Secret } from '../../src/core/secret.js';
import { GitHubAppClient } from '../../src/github/index.js';
import { Harness, testPolicy, USERS } from '../support/keyhouse.js';

describe('/github-alert in the playground', () => {
  let h: Harness | undefined;
  let github: PlaygroundGitHub | undefined;
  let playground: Playground | undefined;
  afterEach(async () => {
    await h?.close();
    await github?.close();
    await playground?.close();
    h = undefined;
    github = undefined;
    playground = undefined;
  });

  it('sends a signed alert and tells the person that it was resolved as revoked', async () => {
    let url = '';
    github = await startPlaygroundGitHub(() => url);
    const { fake, env } = github;
    h = await Harness.start({
      policy: testPolicy({ security: { channel: 'C0SECURITY' } }),
      leaks: {
        github: {
          alerts: new GitHubAppClient({
            apiUrl: fake.url,
            appId: fake.app.id,
            privateKey: new Secret(fake.app.privateKeyPem),
          }),
          webhookSecret: env.GITHUB_WEBHOOK_SECRET!,
        },
      },
    });
    url = h.url;
    const { key, keySecret } = h.clickhouse.addKey({ name: 'demo' });
    await h.store.putKeyOwner({
      keyId: key.id,
      ownerId: USERS.alice,
      requestId: null,
      keyName: key.name,
      keySuffix: key.keySuffix,
      createdAt: new Date(),
      fingerprint: fingerprint(keySecret),
    });
    const said = await github.alert(keySecret);
    expect(said).toMatch(/answered 202/);
    expect(said).toMatch(/resolved as revoked/);
    expect(said).toContain(`…${key.keySuffix}`);
    expect(said).not.toContain(keySecret);
    expect(h.slack.messages('C0SECURITY')).toHaveLength(1);
  });

  it('the whole playground: Keyhouse reads the fake GitHub from its environment and handles the alert', async () => {
    playground = await startPlayground();
    const answer = await fetch(new URL('api/command', playground.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user: 'U0ALICE',
        channel: 'C0GENERAL',
        text: `/github-alert 4b1d${'Q'.repeat(38)}`,
      }),
    });
    expect(answer.status).toBe(204);
    const log = await readFile(playground.logFile, 'utf8');
    expect(log).toContain('GitHub alert delivery handled');
    expect(log).toContain('"handled":"left_open"');
    expect(log).not.toContain('Q'.repeat(38));
  });
});
