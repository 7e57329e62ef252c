import pino from 'pino';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AmbiguousCreateError, ApiConnectionError } from '../../src/core/api-errors.js';
import { renderings } from '../support/renderings.js';
import {
  apiKey,
  BOT_KEY_ID,
  BOT_SECRET,
  finish,
  KEYS_PATH,
  type MockSetup,
  mockClient,
  ORIGIN,
  ok,
} from './fixtures.js';

const NEW_SECRET = 'n3wS3cr3tXYZ0123456789abcdefghijklmnopqr';
const INPUT = { name: 'etl-writer', expireAt: null, ipAccessList: [{ source: '0.0.0.0/0' }] };

function traceLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

describe('secrets never reach logs or errors', () => {
  let setup: MockSetup | undefined;
  afterEach(async () => {
    await finish(setup);
    setup = undefined;
  });

  it('a successful create logs its call at trace level without the new or the bot secret', async () => {
    const { logger, lines } = traceLogger();
    setup = mockClient({ logger });
    setup.pool
      .intercept({ path: KEYS_PATH, method: 'POST' })
      .reply(200, ok({ key: apiKey(), keyId: 'NEWKEYIDxyzWXYZ', keySecret: NEW_SECRET }));

    const created = await setup.client.createKey(INPUT);
    logger.info({ created }, 'created'); // what a careless caller might do

    expect(created.keySecret.reveal()).toBe(NEW_SECRET);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const call = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(call).toMatchObject({
      method: 'POST',
      route: '/v1/organizations/{organizationId}/keys',
      status: 200,
      attempt: 1,
    });
    for (const line of lines) {
      expect(line).not.toContain(NEW_SECRET);
      expect(line).not.toContain(BOT_SECRET);
      expect(line).not.toContain(Buffer.from(`:${BOT_SECRET}`).toString('base64').slice(4));
    }
  });

  it.each([
    [
      'a 2xx whose body is cut off mid-secret',
      `{"status":200,"result":{"keyId":"K","keySecret":"${NEW_SECRET}","key":`,
    ],
    ['a 2xx without keyId', JSON.stringify(ok({ key: apiKey(), keySecret: NEW_SECRET }))],
    [
      'a 2xx with a key lacking its id',
      JSON.stringify(ok({ key: { name: 'x' }, keyId: 'K', keySecret: NEW_SECRET })),
    ],
    [
      'a 2xx with a numeric secret',
      JSON.stringify(ok({ key: apiKey(), keyId: 'K', keySecret: 987654321987 })),
    ],
  ])('%s: the AmbiguousCreateError and the logs do not quote it', async (_, body) => {
    const { logger, lines } = traceLogger();
    setup = mockClient({ logger });
    setup.pool.intercept({ path: KEYS_PATH, method: 'POST' }).reply(200, body);

    const error = await setup.client.createKey(INPUT).catch((e: unknown) => e);
    logger.error({ err: error }, 'create failed');

    expect(error).toBeInstanceOf(AmbiguousCreateError);
    for (const text of [...renderings(error), ...lines]) {
      expect(text).not.toContain(NEW_SECRET);
      expect(text).not.toContain('987654321987');
      expect(text).not.toContain(BOT_SECRET);
    }
  });

  it('an error from a dispatcher that quotes request headers does not leak the Authorization header', async () => {
    const { logger, lines } = traceLogger();
    setup = mockClient({ logger, retry: { maxAttempts: 1 } });
    const basic = Buffer.from(`${BOT_KEY_ID}:${BOT_SECRET}`).toString('base64');
    // An interceptor that matches on a header we never send: undici's MockAgent then throws an error
    // whose message quotes every request header, Authorization included.
    setup.pool
      .intercept({ path: KEYS_PATH, method: 'GET', headers: { 'x-never-sent': 'x' } })
      .reply(200, ok([]));
    const raw = await request(`${ORIGIN}${KEYS_PATH}`, {
      dispatcher: setup.agent,
      headers: { authorization: `Basic ${basic}` },
    }).catch((e: unknown) => e);
    expect(String(raw)).toContain(basic); // the hazard is real

    const error = await setup.client.listKeys().catch((e: unknown) => e);
    logger.error({ err: error }, 'list failed');
    setup.pool.cleanMocks();

    expect(error).toBeInstanceOf(ApiConnectionError);
    for (const text of [...renderings(error), ...lines]) {
      expect(text).not.toContain(BOT_SECRET);
      expect(text).not.toContain(basic);
    }
  });
});
