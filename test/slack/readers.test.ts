/**
 * Each person's language and time zone, from Slack's `users.info` (product.md §14), against the
 * fake Slack: asked with `include_locale`, once per person, refreshed by `user_change`, and never
 * waited on before an acknowledgement.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../dev/fake-slack/index.js';
import { SlackReaders } from '../../src/slack/readers.js';
import { unlessWaiting, WOULD_WAIT, withoutWaiting } from '../../src/util/no-wait.js';
import { ManualClock } from '../support/clock.js';
import { capturingLogger } from '../support/logs.js';
import { SLACK_TEST_DEFAULTS } from '../support/slack-payloads.js';

describe('SlackReaders', () => {
  let slack: FakeSlack;
  let clock: ManualClock;
  let readers: SlackReaders;

  beforeEach(async () => {
    clock = new ManualClock('2026-11-27T14:00:00Z');
    slack = await startFakeSlack({
      clock,
      users: {
        U0MINJI: { name: 'minji', locale: 'ko-KR', tz: 'Asia/Seoul' },
        U0ALICE: { name: 'alice', locale: 'en-US', tz: 'Europe/Berlin' },
        U0PIERRE: { name: 'pierre', locale: 'fr-FR', tz: 'Europe/Paris' },
      },
    });
    readers = new SlackReaders({
      client: new WebClient(SLACK_TEST_DEFAULTS.botToken, {
        slackApiUrl: slack.apiUrl,
        retryConfig: { retries: 0 },
      }),
      clock,
      fallback: { locale: 'ko', timeZone: 'UTC' },
      logger: capturingLogger('info').logger,
    });
  });
  afterEach(async () => {
    await slack.close();
  });

  it('reads the Slack locale and time zone, asking users.info with include_locale', async () => {
    expect(await readers.of('U0MINJI')).toEqual({ locale: 'ko', timeZone: 'Asia/Seoul' });
    expect(await readers.of('U0ALICE')).toEqual({ locale: 'en', timeZone: 'Europe/Berlin' });
    // A language Keyhouse has no catalog for reads English.
    expect(await readers.of('U0PIERRE')).toEqual({ locale: 'en', timeZone: 'Europe/Paris' });
    const calls = slack.callsTo('users.info');
    expect(calls.map((c) => [c.args.user, c.args.include_locale])).toEqual([
      ['U0MINJI', 'true'],
      ['U0ALICE', 'true'],
      ['U0PIERRE', 'true'],
    ]);
  });

  it('asks once per person, also for concurrent callers, until the answer is an hour old', async () => {
    await Promise.all([readers.of('U0MINJI'), readers.of('U0MINJI'), readers.of('U0MINJI')]);
    await readers.of('U0MINJI');
    expect(slack.callsTo('users.info')).toHaveLength(1);
    clock.advance(3_600_000);
    // Old: still answered at once, and refreshed behind it.
    expect(await readers.of('U0MINJI')).toEqual({ locale: 'ko', timeZone: 'Asia/Seoul' });
    await slack.waitFor(() => slack.callsTo('users.info').length === 2);
  });

  it('takes a user_change at its word, and asks again when it carries no locale', async () => {
    await readers.of('U0ALICE');
    readers.heard({ id: 'U0ALICE', locale: 'ko-KR', tz: 'Asia/Seoul' });
    expect(await readers.of('U0ALICE')).toEqual({ locale: 'ko', timeZone: 'Asia/Seoul' });
    expect(slack.callsTo('users.info')).toHaveLength(1);
    readers.heard({ id: 'U0ALICE' });
    expect(await readers.of('U0ALICE')).toEqual({ locale: 'en', timeZone: 'Europe/Berlin' });
    expect(slack.callsTo('users.info')).toHaveLength(2);
  });

  it('says who is known already without asking Slack (an answer given before Bolt)', async () => {
    expect(readers.known('U0MINJI')).toBeNull();
    expect(slack.callsTo('users.info')).toHaveLength(0);
    await readers.of('U0MINJI');
    expect(readers.known('U0MINJI')).toEqual({ locale: 'ko', timeZone: 'Asia/Seoul' });
    readers.heard({ id: 'U0MINJI', locale: 'en-US', tz: 'UTC' });
    expect(readers.known('U0MINJI')).toEqual({ locale: 'en', timeZone: 'UTC' });
  });

  it('never waits before an acknowledgement: a stranger is looked up behind it', async () => {
    expect(await withoutWaiting(() => unlessWaiting(() => readers.of('U0MINJI')))).toBe(WOULD_WAIT);
    await expect(withoutWaiting(() => readers.now('U0ALICE'))).resolves.toEqual({
      locale: 'ko',
      timeZone: 'UTC',
    });
    await slack.waitFor(() => slack.callsTo('users.info').length === 2);
    await slack.waitFor(
      () => readers.now('U0MINJI').locale === 'ko' && readers.now('U0ALICE').locale === 'en',
    );
    expect(await withoutWaiting(() => readers.of('U0MINJI'))).toEqual({
      locale: 'ko',
      timeZone: 'Asia/Seoul',
    });
  });

  it('reads the default when Slack cannot say, and asks again a minute later', async () => {
    slack.failNext('users.info', 1, { error: 'ratelimited' });
    expect(await readers.of('U0MINJI')).toEqual({ locale: 'ko', timeZone: 'UTC' });
    expect(await readers.of('U0MINJI')).toEqual({ locale: 'ko', timeZone: 'UTC' });
    expect(slack.callsTo('users.info')).toHaveLength(1);
    clock.advance(60_000);
    await readers.of('U0MINJI');
    await slack.waitFor(() => readers.now('U0MINJI').timeZone === 'Asia/Seoul');
  });
});
