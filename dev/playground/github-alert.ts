/**
 * The playground's fake GitHub (product.md §11, §13): a repository with secret scanning on, and the
 * playground-only command `/github-alert <secret>`, with which a person makes GitHub find a secret in
 * `acme/infra` and send Keyhouse its signed `secret_scanning_alert` webhook, then sees the whole
 * response: the security channel's notice, the owner's DM with Rotate, and the alert resolved as
 * revoked (or left open for a secret Keyhouse did not issue), told in a notice on the page. The same
 * fake holds the repositories of the policy's GitHub Actions destinations (destinations.ts).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FakeGitHub, startFakeGitHub } from '../fake-github/server.js';

export const PLAYGROUND_REPOSITORY = 'acme/infra';
/** The playground's own command: not Slack's, so it never reaches Keyhouse as a slash command. */
export const GITHUB_ALERT_COMMAND = '/github-alert';

export interface PlaygroundGitHub {
  fake: FakeGitHub;
  /** What Keyhouse's environment needs to read alerts as the App and verify deliveries. */
  env: Record<string, string>;
  /** Raises an alert for `secret` and delivers it to Keyhouse; resolves to what a person should read. */
  alert(secret: string): Promise<string>;
  close(): Promise<void>;
}

export interface PlaygroundGitHubOptions {
  /**
   * Repositories (and environments) the policy's GitHub Actions destinations name: each is added
   * beside `acme/infra`, with the App installed on it, so Keyhouse's sealed-box writes land.
   */
  destinations?: readonly { repository: string; environment?: string }[];
  /** Told after every request the fake served (the page redraws what GitHub holds). */
  onServed?: () => void;
}

export async function startPlaygroundGitHub(
  keyhouseUrl: () => string,
  options: PlaygroundGitHubOptions = {},
): Promise<PlaygroundGitHub> {
  const fake = await startFakeGitHub(options.onServed ? { onServed: options.onServed } : {});
  fake.addRepository(PLAYGROUND_REPOSITORY);
  const added = new Set([PLAYGROUND_REPOSITORY.toLowerCase()]);
  for (const { repository, environment } of options.destinations ?? []) {
    if (!added.has(repository.toLowerCase())) fake.addRepository(repository);
    added.add(repository.toLowerCase());
    if (environment !== undefined) fake.addEnvironment(repository, environment);
  }
  const webhookSecret = randomBytes(16).toString('hex');
  return {
    fake,
    env: {
      GITHUB_APP_ID: String(fake.app.id),
      GITHUB_APP_PRIVATE_KEY: fake.app.privateKeyPem,
      GITHUB_API_URL: fake.url,
      GITHUB_WEBHOOK_SECRET: webhookSecret,
    },
    async alert(secret) {
      const handle = fake.addAlert(PLAYGROUND_REPOSITORY, { secret });
      const sent = await fake.sendAlertWebhook(`${keyhouseUrl()}/leaks/github`, webhookSecret, handle);
      const where = `GitHub found the secret in ${PLAYGROUND_REPOSITORY}, terraform/main.tf (alert #${handle.number}) and sent Keyhouse the webhook: it answered ${sent.status}.`;
      // Keyhouse works after its answer: wait (up to 5 s, as the contract says) for the alert to change.
      for (let waited = 0; waited < 5_000; waited += 100) {
        const now = fake.alert(handle);
        if (now.state === 'resolved')
          return `${where} The alert is now resolved as ${now.resolution}: "${now.resolutionComment ?? ''}". See #security and the owner's DM.`;
        await sleep(100);
      }
      return `${where} The alert is still open (a secret Keyhouse did not issue stays open for its owner). See #security.`;
    },
    close: () => fake.close(),
  };
}
