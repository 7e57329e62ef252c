import { describe, expect, it } from 'vitest';
import {
  matchServices,
  serviceRoleName,
  serviceStatuses,
  unmatchedPatterns,
  widens,
} from '../../src/core/service-scope.js';

const PROD_EU = { id: '11111111-1111-4111-8111-111111111111', name: 'prod-eu' };
const PROD_US = { id: '22222222-2222-4222-8222-222222222222', name: 'Prod-US' };
const ANALYTICS = { id: '33333333-3333-4333-8333-333333333333', name: 'analytics' };
const ALL = [PROD_EU, PROD_US, ANALYTICS];

describe('which services a policy names', () => {
  it('matches `*` patterns and names case-insensitively, and ids exactly, in name order', () => {
    expect(matchServices(['prod-*'], ALL)).toEqual([PROD_EU, PROD_US]);
    expect(matchServices([ANALYTICS.id, 'PROD-EU'], ALL)).toEqual([ANALYTICS, PROD_EU]);
    expect(matchServices(['*'], ALL)).toHaveLength(3);
    // A pattern's other characters are literal (no regular expression gets through).
    expect(matchServices(['prod.eu', 'prod-e'], ALL)).toEqual([]);
  });

  it('reports the patterns that match no service', () => {
    expect(unmatchedPatterns(['prod-*', 'staging', 'ana*'], ALL)).toEqual(['staging']);
  });
});

describe("the custom role's name", () => {
  it('is keyhouse:<role>:<12 hex>, the same for the same set in any order, other for another set or access', () => {
    const name = serviceRoleName('reader', 'read', [PROD_EU.id, ANALYTICS.id]);
    expect(name).toMatch(/^keyhouse:reader:[0-9a-f]{12}$/);
    expect(serviceRoleName('reader', 'read', [ANALYTICS.id, PROD_EU.id, ANALYTICS.id])).toBe(name);
    expect(serviceRoleName('reader', 'manage', [PROD_EU.id, ANALYTICS.id])).not.toBe(name);
    expect(serviceRoleName('reader', 'read', [PROD_EU.id])).not.toBe(name);
  });
});

describe('chosen services over time', () => {
  it('shows a service renamed or deleted in the console as such', () => {
    const chosen = [PROD_EU, ANALYTICS];
    expect(serviceStatuses(chosen, [{ ...PROD_EU, name: 'prod-eu-1' }])).toEqual([
      { kind: 'renamed', name: 'prod-eu-1', was: 'prod-eu' },
      { kind: 'deleted', was: 'analytics' },
    ]);
    expect(serviceStatuses(chosen, ALL)).toEqual([
      { kind: 'present', name: 'prod-eu' },
      { kind: 'present', name: 'analytics' },
    ]);
  });

  it('a choice widens only when it reaches a service not held before', () => {
    expect(widens([PROD_EU, ANALYTICS], [PROD_EU])).toBe(false);
    expect(widens([PROD_EU], [PROD_EU, ANALYTICS])).toBe(true);
  });
});
