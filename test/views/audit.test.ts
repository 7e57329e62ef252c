import { describe, expect, it } from 'vitest';
import { parseAuditQuery } from '../../src/core/audit-read.js';
import type { AuditEvent } from '../../src/core/model.js';
import { auditMessage, auditRefused, auditTime, describeAuditEvent } from '../../src/views/audit.js';
import { keyRequest } from './fixtures.js';

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
    const line = describeAuditEvent({
      event: auditEvent({ requestId: request.id, keyName: 'dev-etl' }),
      request,
    });
    expect(line).toBe('12 Dec 10:04 — <@U0DANA> approved *dev-etl* (developer, 30 days) for <@U0ALICE>');
  });

  it('names keys by name and suffix, system actors in words, and marks failures', () => {
    const line = describeAuditEvent({
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
    expect(line).toBe('2 Jan 03:04 — _system_ deleted *x&lt;y* …AB12 _(failed)_');
    // An action without words is shown as it is stored, escaped.
    expect(describeAuditEvent({ event: auditEvent({ action: 'odd.thing' }), request: null })).toContain(
      '`odd.thing`',
    );
  });

  it('lists newest first under a heading, one section per event, ephemeral', () => {
    const lines = [1, 2, 3].map((seq) => ({
      event: auditEvent({ seq, actorId: `U0USER${seq}`, at: new Date(Date.UTC(2026, 11, 12, 10, seq)) }),
      request: null,
    }));
    const message = auditMessage({ query: { kind: 'user', userId: 'U0ALICE' }, lines });
    expect(message.response_type).toBe('ephemeral');
    expect(message.text).toContain('3 events');
    expect(message.blocks).toHaveLength(4);
    const texts = message.blocks.map((b) => JSON.stringify(b));
    expect(texts[0]).toContain('<@U0ALICE>');
    expect(texts[1]).toContain('U0USER3');
    expect(texts[3]).toContain('U0USER1');
  });

  it('says when nothing matched, and refuses non-admins', () => {
    expect(auditMessage({ query: { kind: 'key', key: 'nope' }, lines: [] }).text).toBe(
      'Latest audit events for key nope: nothing recorded.',
    );
    expect(auditRefused().text).toMatch(/Only Keyhouse admins/);
  });

  it('formats times in UTC', () => {
    expect(auditTime(new Date('2026-07-04T23:59:59Z'))).toBe('4 Jul 23:59');
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
