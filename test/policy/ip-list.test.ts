import { describe, expect, it } from 'vitest';
import { isIpv4OrCidr, parseIpAccessList } from '../../src/policy/ip-list.js';
import { problemText } from '../../src/views/outcomes.js';
import { english } from '../support/words.js';

/** The parse as a person reads it: the entries, or the problem in words. */
const said = (parsed: ReturnType<typeof parseIpAccessList>) =>
  'problem' in parsed ? { error: problemText(english, parsed.problem) } : parsed;

describe('parseIpAccessList', () => {
  it('reads one entry per line, with optional descriptions, skipping blank lines', () => {
    const text = '10.0.0.0/8 office VPN\n\n  203.0.113.7  \r\n0.0.0.0/0 anywhere, for now\n';
    expect(said(parseIpAccessList(text))).toEqual({
      entries: [
        { source: '10.0.0.0/8', description: 'office VPN' },
        { source: '203.0.113.7' },
        { source: '0.0.0.0/0', description: 'anywhere, for now' },
      ],
    });
  });

  it('gives no entries for empty text (the caller then uses the default list)', () => {
    expect(said(parseIpAccessList(''))).toEqual({ entries: [] });
    expect(said(parseIpAccessList(' \n\t\n'))).toEqual({ entries: [] });
  });

  it('names the line of a bad octet, counting blank lines as the user sees them', () => {
    expect(said(parseIpAccessList('10.0.0.1\n10.0.0.300'))).toEqual({
      error: 'line 2: "10.0.0.300" is not an IPv4 address or CIDR',
    });
    expect(said(parseIpAccessList('\n\n192.168.01.1 leading zero'))).toEqual({
      error: 'line 3: "192.168.01.1" is not an IPv4 address or CIDR',
    });
  });

  it('rejects a bad prefix', () => {
    expect(said(parseIpAccessList('10.0.0.0/33'))).toEqual({
      error: 'line 1: "10.0.0.0/33" is not an IPv4 address or CIDR',
    });
    expect(said(parseIpAccessList('10.0.0.0/'))).toEqual({
      error: 'line 1: "10.0.0.0/" is not an IPv4 address or CIDR',
    });
  });

  it('limits descriptions to 100 characters', () => {
    expect(said(parseIpAccessList(`10.0.0.1 ${'d'.repeat(100)}`))).toEqual({
      entries: [{ source: '10.0.0.1', description: 'd'.repeat(100) }],
    });
    expect(said(parseIpAccessList(`10.0.0.1 ok\n10.0.0.2 ${'d'.repeat(101)}`))).toEqual({
      error: 'line 2: the description is longer than 100 characters',
    });
  });

  it('accepts 50 entries and refuses the 51st', () => {
    const lines = Array.from({ length: 51 }, (_, i) => `10.0.${i}.0/24`);
    const fifty = parseIpAccessList(lines.slice(0, 50).join('\n'));
    expect('entries' in fifty && fifty.entries).toHaveLength(50);
    expect(said(parseIpAccessList(lines.join('\n')))).toEqual({
      error: 'line 51: at most 50 entries are allowed',
    });
  });
});

describe('isIpv4OrCidr', () => {
  it.each(['0.0.0.0', '255.255.255.255', '0.0.0.0/0', '10.1.2.3/32', '172.16.0.0/12'])('accepts %s', (s) => {
    expect(isIpv4OrCidr(s)).toBe(true);
  });

  it.each([
    '256.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.4/-1',
    '1.2.3.4/08',
    '::1',
    '2001:db8::/32',
    'localhost',
    ' 1.2.3.4',
  ])('rejects %s', (s) => {
    expect(isIpv4OrCidr(s)).toBe(false);
  });
});
