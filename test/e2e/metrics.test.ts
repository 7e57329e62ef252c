/**
 * `/metrics` (product.md §10): scraped after a real flow (submit → approve → Create key) through
 * the Harness, parsed as Prometheus text. Every figure the flow should move moved, and no label
 * (nor anything else in the text) holds a user id, a key name, a key id or the secret.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, USERS } from '../support/keyhouse.js';

const { alice, bob } = USERS;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format's sample lines (comments skipped); throws on a line it cannot read. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(
      /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
    )) {
      if (name !== undefined) labels[name] = value ?? '';
    }
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of one sample; 0 when the series does not exist yet (a counter never incremented). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found.reduce((sum, s) => sum + s.value, 0);
}

describe('/metrics', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
    const response = await fetch(`${h.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    return { text, samples: parse(text) };
  };

  it('counts a whole flow, with no user id, key name, key id or secret anywhere in it', async () => {
    h = await Harness.start();
    const before = (await scrape()).samples;
    expect(value(before, 'keyhouse_requests', { state: 'pending' })).toBe(0);
    expect(value(before, 'keyhouse_key_delivery_seconds_count')).toBe(0);
    // Default process metrics are on.
    expect(before.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(before.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);

    const keyName = 'metrics-reader';
    const request = await h.approvedRequest(alice, {
      keyName,
      roleId: 'developer',
      expiry: '7d',
      reason: 'Scraped after a whole flow',
    });
    expect(value((await scrape()).samples, 'keyhouse_requests', { state: 'approved' })).toBe(1);

    // A Slack call that fails after the secret is shown (rewriting the DM), and a 429 from ClickHouse.
    h.slack.failNext('chat.update', 1, { error: 'message_not_found' });
    await h.createKey(alice, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    h.clickhouse.failNext('listKeys', 1, 429, { resetSeconds: 0 });
    await h.client.listKeys({ fresh: true });
    await h.keyhouse.sweep();

    const { text, samples } = await h.until(async () => {
      const scraped = await scrape();
      return value(scraped.samples, 'keyhouse_slack_api_errors_total') > 0 ? scraped : null;
    }, 'the Slack error to be counted');

    expect(value(samples, 'keyhouse_requests', { state: 'delivered' })).toBe(1);
    expect(value(samples, 'keyhouse_requests', { state: 'approved' })).toBe(0);
    expect(value(samples, 'keyhouse_requests', { state: 'pending' })).toBe(0);
    expect(value(samples, 'keyhouse_request_approval_seconds_count')).toBe(1);
    expect(value(samples, 'keyhouse_key_delivery_seconds_count')).toBe(1);
    expect(value(samples, 'keyhouse_clickhouse_requests_total', { route: 'createKey', status: '200' })).toBe(
      1,
    );
    expect(value(samples, 'keyhouse_clickhouse_requests_total', { route: 'listKeys', status: '429' })).toBe(
      1,
    );
    expect(value(samples, 'keyhouse_clickhouse_rate_limited_total', { route: 'listKeys' })).toBe(1);
    expect(value(samples, 'keyhouse_clickhouse_request_seconds_count', { route: 'createKey' })).toBe(1);
    // Every attempt waited (perhaps 0 s) for the budget once.
    expect(value(samples, 'keyhouse_clickhouse_budget_wait_seconds_count')).toBe(
      value(samples, 'keyhouse_clickhouse_requests_total'),
    );
    expect(
      value(samples, 'keyhouse_slack_api_errors_total', {
        method: 'chat.update',
        error: 'message_not_found',
      }),
    ).toBe(1);
    expect(value(samples, 'keyhouse_sweeps_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'keyhouse_sweep_seconds_count')).toBe(value(samples, 'keyhouse_sweeps_total'));

    const secret = /curl --user '[^':]+:([^']+)'/.exec(JSON.stringify(h.slack.responseUrlPosts))?.[1];
    expect(secret).toBeTruthy();
    const keyId = h.clickhouse.keys().find((k) => k.name === keyName)?.id;
    expect(keyId).toBe(delivered.keyId);
    const labelValues = samples.flatMap((s) => Object.values(s.labels));
    for (const needle of [alice, bob, keyName, keyId!, secret!, request.id]) {
      expect(labelValues.filter((v) => v.includes(needle))).toEqual([]);
      expect(text).not.toContain(needle);
    }
  });

  it('is per app: two apps in one process keep their own registries', async () => {
    h = await Harness.start();
    const other = await Harness.start();
    try {
      for (let i = 0; i < 3; i++) await other.keyhouse.sweep();
      const theirs = parse(await (await fetch(`${other.url}/metrics`)).text());
      expect(value(theirs, 'keyhouse_sweeps_total')).toBeGreaterThanOrEqual(3);
      // This app saw at most its own start-up sweep: none of the other's.
      expect(value((await scrape()).samples, 'keyhouse_sweeps_total')).toBeLessThanOrEqual(1);
    } finally {
      await other.close();
    }
  });
});
