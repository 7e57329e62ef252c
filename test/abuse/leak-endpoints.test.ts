/**
 * Hostile traffic on the doors for leaks found outside Slack (product.md §13): random and hostile
 * bodies, headers and tokens against `POST /leaks/github` and `POST /leaks/report`, and their parsers
 * on their own. Whatever arrives: an answer within 3 s, only the statuses the door documents, a
 * caller without the signature or token learns nothing (401, no body) and causes nothing, a parser
 * never throws and never repeats what it was sent, and no key changes unless a real fingerprint of it
 * was sent with the token.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatures } from '../../dev/fake-github/webhook.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { SecretScanningAlertEventSchema } from '../../src/github/webhook.js';
import { parseLeakReport } from '../../src/watch/leak-report.js';
import { hostileText, SPICY_WORDS } from '../support/arbitraries.js';
import { type GitHubWorld, seenInFile, startGitHubWorld, stopGitHubWorld } from '../support/github.js';
import { Harness, testPolicy } from '../support/keyhouse.js';

const HOOK_SECRET = 'whsec-abuse-tests-0123456789';
const TOKEN = 'leak-report-token-abuse-0123456789abcd';
const ANSWER_MS = 3_000;

/** JSON values a parser may stumble on: prototypes, huge numbers, deep nesting, odd strings. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.record({
    fingerprints: fc.oneof(
      fc.array(
        fc.oneof(
          fc.string(),
          fc.constantFrom(...SPICY_WORDS),
          fc.base64String({ minLength: 40, maxLength: 48 }),
        ),
      ),
      fc.jsonValue({ maxDepth: 3 }),
    ),
    source: fc.oneof(hostileText(), fc.jsonValue({ maxDepth: 2 })),
    url: fc.oneof(fc.webUrl(), hostileText(), fc.constant(null)),
  }),
  fc.constantFrom<unknown>(
    { __proto__: { fingerprints: [] } },
    { constructor: { prototype: 1 } },
    [],
    null,
    0,
    '',
  ),
);

/** Strings the caller sent that an answer must not repeat (long enough to mean something). */
function sentStrings(value: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string' && node.length >= 8) out.push(node);
    else if (node && typeof node === 'object') for (const child of Object.values(node)) walk(child);
  };
  walk(value);
  return out;
}

describe('the leak report parser', () => {
  it('never throws, names fields only, and never repeats what it was sent', () => {
    fc.assert(
      fc.property(hostileJson, (body) => {
        const parsed = parseLeakReport(body);
        if (parsed.ok) {
          expect(parsed.report.fingerprints.length).toBeGreaterThan(0);
          for (const print of parsed.report.fingerprints) expect(print).toMatch(/^[A-Za-z0-9+/]{43}=$/);
          return;
        }
        expect(parsed.problems.length).toBeGreaterThan(0);
        expect(parsed.problems.length).toBeLessThanOrEqual(10);
        const said = parsed.problems.join('\n');
        for (const sent of sentStrings(body)) expect(said).not.toContain(sent);
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts real fingerprints and refuses secrets sent in their place', () => {
    const secret = `4b1d${'a'.repeat(38)}`;
    expect(parseLeakReport({ fingerprints: [fingerprint(secret)], source: 'x' })).toMatchObject({ ok: true });
    const refused = parseLeakReport({ fingerprints: [secret], source: 'x' });
    expect(refused).toMatchObject({ ok: false });
    expect(JSON.stringify(refused)).not.toContain(secret);
  });
});

describe('the webhook payload schema', () => {
  it('never throws on any JSON', () => {
    fc.assert(
      fc.property(hostileJson, (body) => {
        const parsed = SecretScanningAlertEventSchema.safeParse(body);
        if (parsed.success) expect(parsed.data.alert.number).toBeGreaterThan(0);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('hostile traffic on /leaks/github and /leaks/report', () => {
  const seen = seenInFile();
  let h: Harness;
  let gh: GitHubWorld;
  let keyId: string;

  beforeAll(async () => {
    gh = await startGitHubWorld(seen);
    gh.fake.addRepository('acme/infra');
    h = await Harness.start({
      policy: testPolicy({ security: { channel: 'C0SECURITY' } }),
      leaks: { github: { alerts: gh.client, webhookSecret: HOOK_SECRET }, reportToken: TOKEN },
    });
    keyId = h.clickhouse.addKey({ name: 'victim' }).key.id;
  });
  afterAll(async () => {
    await h?.close();
    await stopGitHubWorld(gh);
  });

  async function post(path: string, headers: Record<string, string>, body: string) {
    const started = performance.now();
    const response = await fetch(`${h.url}${path}`, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(ANSWER_MS + 2_000),
    });
    return { status: response.status, text: await response.text(), ms: performance.now() - started };
  }

  const headerValue = fc.oneof(
    fc.constantFrom(
      '',
      'sha256=',
      `sha256=${'0'.repeat(64)}`,
      'sha1=abc',
      'Bearer',
      'Bearer ',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.toUpperCase()}`,
      `Bearer  ${TOKEN}`,
    ),
    fc.string({ maxLength: 200 }).filter((v) => /^[\t\x20-\x7e]*$/.test(v)),
  );
  const bodyText = fc.oneof(
    hostileJson.map((v) => JSON.stringify(v) ?? ''),
    fc.string({ maxLength: 2_000 }),
  );

  it('unsigned or wrongly signed deliveries: 401 with no body, nothing read or done', async () => {
    await fc.assert(
      fc.asyncProperty(bodyText, headerValue, async (body, signature) => {
        const answer = await post(
          '/leaks/github',
          {
            'x-github-event': 'secret_scanning_alert',
            'x-github-delivery': 'd-1',
            'x-hub-signature-256': signature,
          },
          body,
        );
        expect(answer).toMatchObject({ status: 401, text: '' });
        expect(answer.ms).toBeLessThan(ANSWER_MS);
      }),
      { numRuns: 60 },
    );
    expect(gh.fake.requests).toEqual([]);
  });

  it('signed garbage: 200, 202 or a clear 400, within 3 s; GitHub is asked about no alert that does not exist', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyText,
        fc.constantFrom('secret_scanning_alert', 'ping', 'push', ''),
        async (body, event) => {
          const answer = await post(
            '/leaks/github',
            {
              'x-github-event': event,
              'x-github-delivery': `d-${Math.random().toString(36).slice(2)}`,
              ...signatures(HOOK_SECRET, body),
            },
            body,
          );
          expect([200, 202, 400]).toContain(answer.status);
          expect(answer.ms).toBeLessThan(ANSWER_MS);
          for (const sent of sentStrings(body)) expect(answer.text).not.toContain(sent);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reports with a wrong token: 401 with no body; with the token: 202 or a clear 400 that repeats nothing', async () => {
    await fc.assert(
      fc.asyncProperty(bodyText, headerValue, async (body, authorization) => {
        const refused = await post(
          '/leaks/report',
          { authorization, 'content-type': 'application/json' },
          body,
        );
        expect(refused).toMatchObject({ status: 401, text: '' });
        const taken = await post(
          '/leaks/report',
          { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body,
        );
        expect([202, 400]).toContain(taken.status);
        expect(taken.ms).toBeLessThan(ANSWER_MS);
        for (const sent of sentStrings(body)) expect(taken.text).not.toContain(sent);
      }),
      { numRuns: 60 },
    );
  });

  it('after it all: no key changed, no Slack notice but for well-formed reports', async () => {
    await h.quiet(300);
    expect(h.clickhouse.keys().find((k) => k.id === keyId)?.state).toBe('enabled');
    expect(h.clickhouse.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
