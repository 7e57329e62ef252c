/**
 * Every person reads Keyhouse in their own Slack language and time zone; channels read the
 * policy's (product.md §14). End to end: the real app, the fake Slack answering `users.info` with
 * each person's locale, the ClickHouse emulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, USERS } from '../support/keyhouse.js';

const { alice, bob, carol, dave, admin, eve } = USERS;

/** Alice reads Korean in Seoul; everyone else English in UTC unless a test changes it. */
const PEOPLE = {
  [alice]: { name: 'alice', locale: 'ko-KR', tz: 'Asia/Seoul' },
  [bob]: { name: 'bob', locale: 'en-US', tz: 'America/New_York' },
  [carol]: { name: 'carol', locale: 'en-US' },
  [dave]: { name: 'dave', locale: 'en-GB' },
  [admin]: { name: 'admin', locale: 'en-US' },
  [eve]: { name: 'eve', locale: 'en-US' },
};

describe('each person in their own language', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('answers /chkey help in the Slack language of whoever asks, and follows a change of it', async () => {
    h = await Harness.start({ slack: { users: PEOPLE } });
    expect(JSON.stringify(await h.answer(alice, 'help'))).toContain('사용법');
    expect(JSON.stringify(await h.answer(bob, 'help'))).toContain('How to use');
    // Known now: answered in the acknowledgement itself, still in Korean.
    const again = await h.command(alice, 'help');
    expect(JSON.stringify(again.response.json)).toContain('사용법');

    // Alice switches Slack to English: the user_change event says so, and Keyhouse follows at once.
    const { payload } = h.slack.changePreferences(alice, { locale: 'en-US' });
    await h.post({ kind: 'event', payload });
    // Bolt acknowledges an event before its listener runs: ask until the change has been heard.
    await h.until(
      async () => JSON.stringify((await h.command(alice, 'help')).response.json).includes('How to use'),
      'help in English after the user_change',
    );
    expect(h.slack.callsTo('users.info').filter((c) => c.args.user === alice)).toHaveLength(1);
  });
});
