import { LogLevel } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { Secret } from '../src/core/secret.js';
import { boltLogger, createLogger } from '../src/logger.js';

/** A logger writing into memory, and its lines parsed. */
function capture(level = 'trace') {
  const raw: string[] = [];
  const logger = createLogger({
    level,
    name: 'keyhouse',
    destination: { write: (line: string) => void raw.push(line) },
  });
  return {
    logger,
    raw,
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('redacts credentials wherever they sit, and Secrets print as placeholders', () => {
    const { logger, raw, lines } = capture();
    logger.info(
      {
        headers: { authorization: 'Basic abc' },
        keySecret: 'S3CRET',
        token: 'xoxb-1',
        nested: { secret: 'x-nested-secret', deeper: { password: 'pw-two-levels' } },
        slack: { botToken: 'xoxb-bot', appToken: 'xapp-app', signingSecret: 'sign-me' },
        req: { headers: { authorization: 'Bearer two-levels-deep' } },
        wrapped: new Secret('S3CRET-WRAPPED'),
        keyId: 'visible-key-id',
      },
      'creating key',
    );
    logger.debug('formatted %s and %j', new Secret('S3CRET-FMT'), { value: new Secret('S3CRET-JSON') });
    logger.trace({ result: { key: { name: 'etl' }, keySecret: 'S3CRET-IN-RESULT' } }, 'create answered');

    const output = raw.join('');
    for (const value of [
      'Basic abc',
      'S3CRET',
      'xoxb-1',
      'x-nested-secret',
      'pw-two-levels',
      'xoxb-bot',
      'xapp-app',
      'sign-me',
      'two-levels-deep',
    ]) {
      expect(output).not.toContain(value);
    }
    const [first, second, third] = lines();
    expect(first).toMatchObject({
      level: 30,
      name: 'keyhouse',
      msg: 'creating key',
      headers: { authorization: '[redacted]' },
      keySecret: '[redacted]',
      token: '[redacted]',
      nested: { secret: '[redacted]', deeper: { password: '[redacted]' } },
      slack: { botToken: '[redacted]', appToken: '[redacted]', signingSecret: '[redacted]' },
      req: { headers: { authorization: '[redacted]' } },
      wrapped: '[redacted secret]',
      // Only secret-named fields go: the rest of the line stays useful.
      keyId: 'visible-key-id',
    });
    expect(second?.msg).toBe('formatted [redacted secret] and {"value":"[redacted secret]"}');
    expect(third).toMatchObject({ result: { key: { name: 'etl' }, keySecret: '[redacted]' } });
  });

  it('serializes errors under err', () => {
    const { logger, lines } = capture();
    logger.error({ err: Object.assign(new Error('boom'), { code: 'upstream_failed' }) }, 'failed');
    const [line] = lines();
    expect(line).toMatchObject({ err: { type: 'Error', message: 'boom', code: 'upstream_failed' } });
    expect(line?.err).toHaveProperty('stack', expect.stringContaining('Error: boom'));
  });

  it('honours the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(lines().map((l) => l.msg)).toEqual(['loud']);
  });
});

describe('boltLogger', () => {
  it('writes one structured line per call, keeping objects and errors', () => {
    const { logger, lines } = capture();
    const bolt = boltLogger(logger);
    bolt.setName('web-api:WebClient:0');
    bolt.warn(
      'http request failed',
      { status: 429, retryAfter: 3 },
      'retrying in',
      3,
      new Error('rate limited'),
    );
    bolt.info('plain');
    bolt.error(new Error('only an error'));

    const written = lines();
    expect(written).toHaveLength(3);
    expect(written[0]).toMatchObject({
      level: 40,
      component: 'web-api:WebClient:0',
      msg: 'http request failed retrying in 3',
      args: [{ status: 429, retryAfter: 3 }],
      err: { type: 'Error', message: 'rate limited' },
    });
    expect(written[1]).toMatchObject({ level: 30, msg: 'plain' });
    expect(written[1]).not.toHaveProperty('args');
    expect(written[2]).toMatchObject({ level: 50, msg: 'only an error', err: { message: 'only an error' } });
  });

  it('redacts secrets inside the objects Bolt passes', () => {
    const { logger, raw } = capture();
    boltLogger(logger).debug(
      'apiCall',
      { token: 'xoxb-in-args', headers: { authorization: 'Bearer xoxb-h' } },
      new Secret('xoxb-wrapped'),
    );
    const output = raw.join('');
    expect(output).toContain('apiCall');
    expect(output).not.toContain('xoxb-in-args');
    expect(output).not.toContain('xoxb-h');
    expect(output).not.toContain('xoxb-wrapped');
  });

  it("keeps its level to itself and maps pino's levels onto Bolt's", () => {
    const { logger, lines } = capture('debug');
    const bolt = boltLogger(logger);
    expect(bolt.getLevel()).toBe(LogLevel.DEBUG);
    bolt.setLevel(LogLevel.WARN);
    expect(bolt.getLevel()).toBe(LogLevel.WARN);
    bolt.info('dropped');
    bolt.warn('kept');
    // The application's logger is untouched by Bolt's setLevel.
    expect(logger.level).toBe('debug');
    logger.debug('app debug');
    // A later setName keeps the level Bolt chose.
    bolt.setName('bolt-app');
    bolt.info('still dropped');
    expect(lines().map((l) => l.msg)).toEqual(['kept', 'app debug']);

    expect(boltLogger(capture('trace').logger).getLevel()).toBe(LogLevel.DEBUG);
    expect(boltLogger(capture('silent').logger).getLevel()).toBe(LogLevel.ERROR);
  });
});
