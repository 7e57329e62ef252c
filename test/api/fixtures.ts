import { randomUUID } from 'node:crypto';
import { MockAgent, type MockCallHistoryLog } from 'undici';
import { afterEach } from 'vitest';
import { ClickHouseCloudClient, type ClickHouseCloudClientOptions } from '../../src/api/client.js';
import { Secret } from '../../src/core/secret.js';

export const ORIGIN = 'https://api.clickhouse.test';
export const ORG_ID = '0c9a6f8e-1b2c-4d3e-8f90-a1b2c3d4e5f6';
export const BOT_KEY_ID = 'BOTKEYIDabcdWXYZ';
export const BOT_SECRET = '4b1dMYmOsTsEcReTbOtSeCrEtvalue0123456789ab';
export const KEYS_PATH = `/v1/organizations/${ORG_ID}/keys`;

/** An `ApiKey` as the API returns it, with overrides. */
export function apiKey(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    name: 'analytics-reader',
    state: 'enabled',
    roles: ['developer'],
    assignedRoles: [{ roleId: randomUUID(), roleName: 'Developer', roleType: 'system' }],
    keySuffix: 'a1b2',
    createdAt: '2026-01-01T00:00:00Z',
    expireAt: null,
    usedAt: null,
    ipAccessList: [{ source: '0.0.0.0/0', description: 'anywhere' }],
    ...overrides,
  };
}

/** The success envelope. */
export function ok(result?: unknown, requestId: string = randomUUID()): Record<string, unknown> {
  return result === undefined ? { status: 200, requestId } : { status: 200, requestId, result };
}

export const JSON_HEADERS = { 'content-type': 'application/json' };

export interface MockSetup {
  agent: MockAgent;
  pool: ReturnType<MockAgent['get']>;
  client: ClickHouseCloudClient;
  /** Delays passed to the injected `sleep` (retry backoffs). */
  sleeps: number[];
  calls(): MockCallHistoryLog[];
}

/**
 * A client wired to an undici MockAgent (no network), with instant retry sleeps and a roomy rate limit
 * unless overridden. `afterEach` should call `finish` so unused interceptors fail the test.
 */
export function mockClient(overrides: Partial<ClickHouseCloudClientOptions> = {}): MockSetup {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  const sleeps: number[] = [];
  const client = new ClickHouseCloudClient({
    baseUrl: ORIGIN,
    keyId: BOT_KEY_ID,
    keySecret: new Secret(BOT_SECRET),
    organizationId: ORG_ID,
    dispatcher: agent,
    rateLimit: { requests: 1_000, windowMs: 1_000 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return {
    agent,
    pool: agent.get(ORIGIN),
    client,
    sleeps,
    calls: () => agent.getCallHistory()?.calls() ?? [],
  };
}

export async function finish(setup: MockSetup | undefined): Promise<void> {
  if (setup === undefined) return;
  try {
    setup.agent.assertNoPendingInterceptors();
  } finally {
    await setup.agent.close();
  }
}

export function jsonBody(call: MockCallHistoryLog | undefined): Record<string, unknown> {
  if (call?.body === undefined || call.body === null) throw new Error('the request had no body');
  return JSON.parse(call.body) as Record<string, unknown>;
}

/**
 * For a test file: `use(overrides)` makes the current test's mock client, and after each test its
 * unused interceptors fail the test and the agent is closed.
 */
export function mockClientPerTest(): (overrides?: Partial<ClickHouseCloudClientOptions>) => MockSetup {
  let setup: MockSetup | undefined;
  afterEach(async () => {
    await finish(setup);
    setup = undefined;
  });
  return (overrides = {}) => {
    setup = mockClient(overrides);
    return setup;
  };
}
