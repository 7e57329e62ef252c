import { describe, expect, it } from 'vitest';
import { parseAuditQuery } from '../../src/core/audit-read.js';
import type { AuditEvent } from '../../src/core/model.js';
import { RETIREMENT_RULE } from '../../src/timers/retirement.js';
import { RULE } from '../../src/timers/rule-ids.js';
import { auditMessage, auditRefused, auditTime, describeAuditEvent } from '../../src/views/audit.js';
import { english, words } from '../support/words.js';
import { keyRequest } from './fixtures.js';

/** 2026-12-12T10:04Z as a Slack date token: each reader's zone, the UTC fallback. */
const DEC_12 = '<!date^1797069840^{date_short_pretty} {time}|2026-12-12 10:04 UTC>';

function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    seq: 1,
    at: new Date('2026-12-12T10:04:00.000Z'),
    actorId: 'U0DANA',
    action: 'request.approved',
    outcome: 'ok',
    requestId: null,
    keyId: null,
    keyName: null,
    keySuffix: null,
    upstreamRequestId: null,
    detail: null,
    prevHash: null,
    hash: 'h',
    ...overrides,
  };
}

describe('audit view', () => {
  const request = keyRequest({
    requesterId: 'U0ALICE',
    keyName: 'dev-etl',
    roleId: 'developer',
    expiry: '30d',
  });

  it('tells an approval as a sentence with key, role, expiry and requester', () => {
    const line = describeAuditEvent(english, {
      event: auditEvent({ requestId: request.id, keyName: 'dev-etl' }),
      request,
    });
    expect(line).toBe(`${DEC_12} — <@U0DANA> approved *dev-etl* (developer, 30 days) for <@U0ALICE>`);
  });

  it('tells every event of a timed rule or the watch in words, never a rule id (issue #20)', () => {
    const offboarding = describeAuditEvent(english, {
      event: auditEvent({
        actorId: 'system',
        action: 'timer.offboarding.check',
        keyName: 'etl',
        keySuffix: 'AB12',
      }),
      request: null,
    });
    expect(offboarding).toBe(`${DEC_12} — Keyhouse checked in Slack the owner of *etl* …AB12`);
    const ids = [
      ...['request.submitted', 'request.approve', 'request.approved', 'request.deny', 'request.denied'],
      ...['request.expired', 'request.withdrawn', 'request.released', 'request.cancelled', 'key.create'],
      ...['key.created', 'key.reveal', 'key.delivered', 'key.enable', 'key.disable', 'key.delete'],
      ...['key.deleted', 'key.update', 'key.change', 'key.changed', 'key.manage', 'key.vanished', 'key.keep'],
      ...['key.leak.lift', 'key.reassign', 'key.retiring', 'leak.detected', 'leak.message', 'leak.disable'],
      ...[
        'leak.delete',
        'leak.enforce',
        'drift.detected',
        'drift.disable',
        'drift.malformed',
        'drift.cursor',
      ],
      ...[
        'drift.report',
        'audit.head',
        'audit.chain.linked',
        'audit.refused',
        'rotation.retire',
        'stale.keep',
        'service_role.create',
        'leak.outside',
      ],
      ...Object.values(RULE).map((rule) => `timer.${rule}`),
      `timer.${RETIREMENT_RULE}`,
    ];
    for (const locale of ['en', 'ko'] as const) {
      for (const action of ids) {
        for (const actorId of ['system', 'policy', 'U0DANA']) {
          const said = describeAuditEvent(words(locale), {
            event: auditEvent({ actorId, action }),
            request: null,
          });
          expect(said, action).not.toMatch(/`|_system_|_policy_|\b[a-z]+\.[a-z]+/);
        }
      }
    }
    const korean = describeAuditEvent(words('ko'), {
      event: auditEvent({ actorId: 'system', action: 'timer.offboarding.key', keyName: 'etl' }),
      request: null,
    });
    expect(korean).toBe(`${DEC_12} — Keyhouse (자동): *etl* 오프보딩 정책 적용`);
  });

  it('names keys by name and suffix, system actors in words, and marks failures', () => {
    const line = describeAuditEvent(english, {
      event: auditEvent({
        actorId: 'system',
        action: 'key.delete',
        outcome: 'failed',
        keyName: 'x<y',
        keySuffix: 'AB12',
        at: new Date('2026-01-02T03:04:05Z'),
      }),
      request: null,
    });
    expect(line).toBe(
      '<!date^1767323045^{date_short_pretty} {time}|2026-01-02 03:04 UTC> — Keyhouse deleted *x&lt;y* …AB12 _(failed)_',
    );
    // An action without words is shown as it is stored, escaped.
    expect(
      describeAuditEvent(english, { event: auditEvent({ action: 'odd.thing' }), request: null }),
    ).toContain('`odd.thing`');
  });

  it('lists newest first under a heading, one section per event, ephemeral', () => {
    const lines = [1, 2, 3].map((seq) => ({
      event: auditEvent({ seq, actorId: `U0USER${seq}`, at: new Date(Date.UTC(2026, 11, 12, 10, seq)) }),
      request: null,
    }));
    const message = auditMessage(english, { query: { kind: 'user', userId: 'U0ALICE' }, lines });
    expect(message.response_type).toBe('ephemeral');
    expect(message.text).toContain('3 events');
    expect(message.blocks).toHaveLength(4);
    const texts = message.blocks.map((b) => JSON.stringify(b));
    expect(texts[0]).toContain('<@U0ALICE>');
    expect(texts[1]).toContain('U0USER3');
    expect(texts[3]).toContain('U0USER1');
  });

  it('says when nothing matched, and refuses non-admins', () => {
    expect(auditMessage(english, { query: { kind: 'key', key: 'nope' }, lines: [] }).text).toBe(
      'Latest audit events for key nope: nothing recorded.',
    );
    expect(auditRefused(english).text).toMatch(/Only Keyhouse admins/);
  });

  it('writes times as date tokens each reader sees in their zone, with the UTC time as fallback', () => {
    const token = '<!date^1783209599^{date_short_pretty} {time}|2026-07-04 23:59 UTC>';
    expect(auditTime(english, new Date('2026-07-04T23:59:59Z'))).toBe(token);
    // The same token for a reader in Seoul: Slack, not Keyhouse, puts it in their zone.
    expect(auditTime(words('ko', 'Asia/Seoul'), new Date('2026-07-04T23:59:59Z'))).toBe(token);
    expect(auditTime(words('ko'), new Date(Number.NaN))).not.toMatch(/[A-Za-z]/);
    // The heading no longer claims the times are in UTC.
    const heading = JSON.stringify(
      auditMessage(words('ko', 'Asia/Seoul'), {
        query: { kind: 'all' },
        lines: [{ event: auditEvent(), request: null }],
      }).blocks[0],
    );
    expect(heading).not.toContain('UTC');
    expect(
      JSON.stringify(
        auditMessage(english, { query: { kind: 'all' }, lines: [{ event: auditEvent(), request: null }] })
          .blocks[1],
      ),
    ).toContain(DEC_12);
  });
});

describe('audit query', () => {
  it('reads a key, a suffix, an escaped mention or a user id', () => {
    expect(parseAuditQuery([])).toEqual({ kind: 'all' });
    expect(parseAuditQuery(['dev-etl'])).toEqual({ kind: 'key', key: 'dev-etl' });
    expect(parseAuditQuery(['…AB12'])).toEqual({ kind: 'key', key: '…AB12' });
    expect(parseAuditQuery(['<@U0ALICE|alice>'])).toEqual({ kind: 'user', userId: 'U0ALICE' });
    expect(parseAuditQuery(['<@W0ALICE>'])).toEqual({ kind: 'user', userId: 'W0ALICE' });
    expect(parseAuditQuery(['U0ALICE'])).toEqual({ kind: 'user', userId: 'U0ALICE' });
  });
});
