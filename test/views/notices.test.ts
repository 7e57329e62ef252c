import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../dev/fake-slack/block-kit-limits.js';
import type { RequesterNotice } from '../../src/core/ports.js';
import { helpMessage, unknownCommand } from '../../src/views/help.js';
import { errorNotice, requesterNotice, threadNote } from '../../src/views/notices.js';
import { english } from '../support/words.js';
import { keyRequest, NOW } from './fixtures.js';

function valid(message: { text: string; blocks?: KnownBlock[] }): void {
  expect(checkMessage(message as unknown as Record<string, unknown>)).toBeNull();
}

const request = keyRequest({ keyName: 'etl-nightly' });
const all = (message: { text: string; blocks?: KnownBlock[] }) => JSON.stringify(message);

describe('requesterNotice', () => {
  it('denied: by whom and why, escaped', () => {
    const message = requesterNotice(english, {
      kind: 'denied',
      request,
      by: 'U0APPROVER1',
      reason: 'no <!channel> & no',
    });
    valid(message);
    expect(message.text).toBe('Your API key request etl-nightly was denied by <@U0APPROVER1>.');
    expect(all(message)).toContain('no &lt;!channel&gt; &amp; no');
    expect(all(message)).not.toContain('<!channel>');
  });

  it('denied without a reason says none was given', () => {
    const message = requesterNotice(english, { kind: 'denied', request, by: 'U0APPROVER1', reason: null });
    expect(all(message)).toContain('No reason was given.');
  });

  it('denied with a 3000-character reason stays valid', () => {
    valid(requesterNotice(english, { kind: 'denied', request, by: 'U0APPROVER1', reason: '&'.repeat(3000) }));
  });

  it.each([
    [
      'expired at approval',
      { kind: 'expired', request, stage: 'approval' } as const,
      /expired before it was decided; request it again with `\/chkey`/,
    ],
    [
      'expired at claim',
      { kind: 'expired', request, stage: 'claim' } as const,
      /expired before you created the key/,
    ],
    [
      'not delivered, key deleted',
      { kind: 'not_delivered', request, keyDeleted: true } as const,
      /Slack didn't accept the message holding the secret of \*etl-nightly\*, so the key was deleted.*Click \*Create key\* again\./,
    ],
    [
      'not delivered, key not deleted yet',
      { kind: 'not_delivered', request, keyDeleted: false } as const,
      /couldn't delete the key yet; Keyhouse will delete it shortly\. Click \*Create key\* again afterwards\./,
    ],
    [
      'change failed, with the policy text escaped',
      {
        kind: 'change_failed',
        request,
        refusal: { code: 'policy_role_missing', clickhouseRole: '<nope> & 503', roleLabel: 'Dev' },
      } as const,
      /ClickHouse role "&lt;nope&gt; &amp; 503" for Dev/,
    ],
    [
      'recovered',
      { kind: 'recovered', request } as const,
      /Keyhouse restarted while making your API key \*etl-nightly\*; nothing was left behind/,
    ],
  ] satisfies [string, RequesterNotice, RegExp][])('%s', (_, notice, expected) => {
    const message = requesterNotice(english, notice);
    valid(message);
    expect(message.text).toMatch(expected);
  });

  it('names the configured command', () => {
    const message = requesterNotice(
      english,
      { kind: 'expired', request, stage: 'approval' },
      { command: '/keys' },
    );
    expect(message.text).toContain('`/keys`');
  });
});

describe('threadNote', () => {
  it.each([
    [{ kind: 'approved', by: 'U1', given: 1, needed: 2 } as const, '✅ <@U1> approved (1 of 2)'],
    [
      { kind: 'denied', by: 'U1', reason: 'use <!here> & staging' } as const,
      '⛔ <@U1> denied: use &lt;!here&gt; &amp; staging',
    ],
    [{ kind: 'denied', by: 'U1', reason: null } as const, '⛔ <@U1> denied (no reason given)'],
    [{ kind: 'expired' } as const, '⌛ Expired: the request was not decided in time.'],
    [
      { kind: 'key_created', at: NOW } as const,
      '🔑 Key created <!date^1795788000^{date_short_pretty} {time}|2026-11-27 14:00 UTC>',
    ],
    [{ kind: 'claim_expired' } as const, '⌛ Expired: the requester did not create the key in time.'],
  ])('$kind', (note, text) => {
    expect(threadNote(english, note)).toEqual({ text });
  });

  it('fits a very long denial reason', () => {
    const { text } = threadNote(english, { kind: 'denied', by: 'U1', reason: '&'.repeat(5000) });
    expect(text.length).toBeLessThanOrEqual(3000);
  });
});

describe('errorNotice', () => {
  it('shows the message with its reference, ephemerally, leaving the original', () => {
    expect(errorNotice(english, 'Something broke.', 'ref-123')).toEqual({
      text: '⚠️ Something broke. (reference `ref-123`)',
      response_type: 'ephemeral',
      replace_original: false,
    });
    expect(errorNotice(english, 'Already decided.').text).toBe('⚠️ Already decided.');
  });
});

const ADMIN = { request: true, listAll: true, admin: true, adminsToAsk: '<@U0DANA>' };
const REQUESTER = { request: true, listAll: false, admin: false, adminsToAsk: '<@U0DANA>' };
const NOBODY = { request: false, listAll: false, admin: false, adminsToAsk: '<@U0DANA>' };

describe('help', () => {
  it('lists every subcommand for an admin, review and audit included', () => {
    const message = helpMessage(english, '/chkey', ADMIN);
    valid(message);
    expect(message.response_type).toBe('ephemeral');
    const json = all(message);
    for (const usage of [
      '`/chkey`',
      '`/chkey request`',
      '`/chkey list`',
      '`/chkey list all`',
      '`/chkey review`',
      '`/chkey audit`',
      '`/chkey audit @person`',
      '`/chkey help`',
    ]) {
      expect(json).toContain(usage);
    }
  });

  it('offers a requester what they may do, not the admins’ commands', () => {
    const json = all(helpMessage(english, '/chkey', REQUESTER));
    expect(json).toContain('`/chkey request`');
    expect(json).not.toContain('`/chkey review`');
    expect(json).not.toContain('`/chkey audit');
    expect(json).not.toContain('`/chkey list all`');
  });

  it('does not offer a request to someone who may not request, and names whom to ask', () => {
    const message = helpMessage(english, '/chkey', NOBODY);
    const json = all(message);
    expect(json).not.toContain('`/chkey request`');
    expect(json).not.toMatch(/Once your request is approved/);
    expect(json).toContain('You may not request API keys; <@U0DANA>');
    expect(json).toContain('`/chkey list`');
  });

  it('quotes an unknown word, escaped and truncated', () => {
    const message = unknownCommand(english, '/chkey', `<!channel>&${'x'.repeat(500)}`, REQUESTER);
    valid(message);
    expect(message.response_type).toBe('ephemeral');
    expect(message.text).toContain("I don't know `/chkey &lt;!channel&gt;&amp;x");
    expect(all(message)).not.toContain('<!channel>');
    expect(message.text.length).toBeLessThan(200);
    expect(all(message)).toContain('`/chkey list`');
  });
});
