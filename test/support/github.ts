/**
 * The GitHub client against the fake (dev/fake-github), on one manual clock: the client's sleeps move
 * that clock, so rate-limit waits and token lifetimes pass without real time. Every fake a test file
 * starts is kept, so the file's last test can hold every exchange it saw to GitHub's descriptions.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type {
  FakeGitHub,
  FakeGitHubOptions,
  RecordedRequest,
  SentWebhook,
} from '../../dev/fake-github/server.js';
import { startFakeGitHub } from '../../dev/fake-github/server.js';
import { Secret } from '../../src/core/secret.js';
import { GitHubAppClient, type GitHubAppClientOptions } from '../../src/github/index.js';
import { ManualClock } from './clock.js';
import { type JsonSchemaCheck, loadJsonSchema, WEBHOOK_SCHEMA_FILE } from './json-schema.js';
import { GITHUB_REST, loadOpenApiContract, type OpenApiContract } from './openapi.js';
import { requirement } from './requirements.js';

export const GITHUB_REF_MISSING =
  '../shared/ref/github-rest-subset.openapi.json not found (clone without ../shared)';
export const WEBHOOK_REF_MISSING =
  '../shared/ref/github-webhook-secret-scanning-alert.schema.json not found (clone without ../shared)';

export interface GitHubWorld {
  fake: FakeGitHub;
  clock: ManualClock;
  /** Every wait the client asked for, in ms. */
  sleeps: number[];
  /** Every log line the client wrote (trace level). */
  logLines: string[];
  client: GitHubAppClient;
  /** Another client on the same fake and clock. */
  newClient(overrides?: Partial<GitHubAppClientOptions>): GitHubAppClient;
}

/** Every exchange and delivery seen by the fakes of this test file. */
export interface Seen {
  requests: RecordedRequest[];
  webhooks: SentWebhook[];
}

export function seenInFile(): Seen {
  return { requests: [], webhooks: [] };
}

export async function startGitHubWorld(
  seen: Seen,
  options: { fake?: FakeGitHubOptions; client?: Partial<GitHubAppClientOptions> } = {},
): Promise<GitHubWorld> {
  const clock = new ManualClock('2026-09-01T08:00:00Z');
  const fake = await startFakeGitHub({ clock, ...options.fake });
  const sleeps: number[] = [];
  const logLines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => logLines.push(line) });
  const newClient = (overrides: Partial<GitHubAppClientOptions> = {}) =>
    new GitHubAppClient({
      apiUrl: fake.url,
      appId: fake.app.id,
      privateKey: new Secret(fake.app.privateKeyPem),
      clock,
      logger,
      timeoutMs: 30_000,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      ...options.client,
      ...overrides,
    });
  const world = { fake, clock, sleeps, logLines, client: newClient(), newClient };
  worlds.set(world, seen);
  return world;
}

const worlds = new Map<GitHubWorld, Seen>();

/** Closes the fake, keeping what it saw for the file's contract check. */
export async function stopGitHubWorld(world: GitHubWorld | undefined): Promise<void> {
  if (world === undefined) return;
  const seen = worlds.get(world);
  worlds.delete(world);
  await world.fake.close();
  seen?.requests.push(...world.fake.requests);
  seen?.webhooks.push(...world.fake.webhooks);
}

/**
 * Violations of GitHub's descriptions among what was seen: every request (body and query) and every
 * answer, strictly (no field the description lacks); an exchange that got no answer (dropped, hung) is
 * checked for its request only. Every webhook payload is checked against the webhook schema, strictly.
 */
export function descriptionViolations(
  seen: Seen,
  contract: OpenApiContract,
  webhookSchema: JsonSchemaCheck,
): string[] {
  const exchanges = seen.requests.flatMap((exchange) => {
    const violations =
      exchange.status === 0
        ? contract.validateRequestBody(
            exchange.method,
            contract.matchPath(exchange.method, exchange.path) ?? '',
            exchange.body,
          )
        : contract.validateExchange(exchange, { strict: true });
    return violations.map(
      (violation) => `${exchange.method} ${exchange.path} → ${exchange.status}: ${violation}`,
    );
  });
  const deliveries = seen.webhooks.flatMap((sent) =>
    webhookSchema
      .validate(sent.payload, { strict: true })
      .map((violation) => `webhook ${sent.deliveryId}: ${violation}`),
  );
  return [...exchanges, ...deliveries];
}

/**
 * The file's last test: every exchange and delivery its fakes saw, held to GitHub's descriptions. Call it
 * at the end of a test file (tests run in the order they are declared); without `../shared` it reports
 * itself skipped.
 */
export function checkDescriptionsAtEnd(seen: Seen): void {
  const contract = requirement(loadOpenApiContract(GITHUB_REST), GITHUB_REF_MISSING);
  const webhookSchema = requirement(loadJsonSchema(WEBHOOK_SCHEMA_FILE), WEBHOOK_REF_MISSING);
  describe.skipIf(!contract || !webhookSchema)('GitHub’s descriptions', () => {
    it('hold for every request, answer and webhook the fakes saw in this file', () => {
      expect(seen.requests.length + seen.webhooks.length).toBeGreaterThan(0);
      expect(descriptionViolations(seen, contract!, webhookSchema!)).toEqual([]);
    });
  });
}
