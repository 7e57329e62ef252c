import { describe, expect, it } from 'vitest';
import { Policy, PolicyError, parsePolicy } from '../../src/policy/index.js';
import { ManualClock } from '../support/clock.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const BASE = `
approvalChannel: C0APPROVALS
admins: [U0ADMIN]
approvers: [S0APPROVERS]
roles:
  - id: prod-read
    label: Production (read)
    grant: { roles: [developer] }
    maxExpiry: 30d
    approvals: 1
`;

function problems(text: string): readonly string[] {
  try {
    parsePolicy(text, 'policy.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).problems;
  }
  throw new Error('expected the policy to be refused');
}

describe('policy: autoApprove and breakGlass', () => {
  it('reads both blocks into milliseconds', () => {
    const doc = parsePolicy(
      `${BASE}    autoApprove: { whenIn: [S0ONCALL], maxExpiry: 12h }
    breakGlass: { maxExpiry: 4h, reviewWithin: 24h }
`,
      'policy.yml',
    );
    expect(doc.roles[0]?.autoApprove).toEqual({
      whenIn: ['S0ONCALL'],
      maxExpiry: '12h',
      maxExpiryMs: 12 * HOUR,
    });
    expect(doc.roles[0]?.breakGlass).toEqual({
      maxExpiry: '4h',
      maxExpiryMs: 4 * HOUR,
      reviewWithin: '1d',
      reviewWithinMs: DAY,
    });
  });

  it('reports every problem of the blocks with its path', () => {
    const found = problems(`${BASE}    autoApprove: { whenIn: [U0ALICE], maxExpiry: 60d, extra: 1 }
    breakGlass: { maxExpiry: never, reviewWitin: 24h }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^roles\[0\]\.autoApprove\.whenIn\[0\]: "U0ALICE" is not a user-group ID/),
        'roles[0].autoApprove.extra: unknown field (expected one of whenIn, maxExpiry)',
        "roles[0].autoApprove.maxExpiry: is longer than the role's maxExpiry (30d)",
        expect.stringMatching(/^roles\[0\]\.breakGlass\.maxExpiry: expected <n>h or <n>d/),
        'roles[0].breakGlass.reviewWitin: unknown field (did you mean "reviewWithin"?)',
      ]),
    );
  });

  it('offers the on-call and break-glass caps as expiries, shortest first, and watches the on-call groups', async () => {
    const doc = parsePolicy(
      `${BASE}    autoApprove: { whenIn: [S0ONCALL], maxExpiry: 12h }
    breakGlass: { maxExpiry: 4h, reviewWithin: 24h }
`,
      'policy.yml',
    );
    const members: Record<string, string[]> = { S0ONCALL: ['U0BOB'] };
    const policy = new Policy(doc, {
      resolveGroup: async (id) => members[id] ?? [],
      clock: new ManualClock(new Date('2026-12-01T00:00:00Z')),
    });
    expect(policy.expiryChoices('prod-read').map((c) => c.value)).toEqual(['4h', '12h', '1d', '7d', '30d']);
    expect(policy.groupIds()).toContain('S0ONCALL');
    expect(await policy.onCallGroup('U0BOB', 'prod-read')).toBe('S0ONCALL');
    expect(await policy.onCallGroup('U0ALICE', 'prod-read')).toBeNull();
  });
});
