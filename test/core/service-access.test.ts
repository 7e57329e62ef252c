import { describe, expect, it } from 'vitest';
import { isKeyhouseError } from '../../src/core/errors.js';
import { SERVICE_ACCESS, SERVICE_ACCESS_TABLE, servicePolicies } from '../../src/core/service-access.js';

const A = '0b7e2c3a-1111-4222-8333-444455556666';
const B = '9f1d0e2b-aaaa-4bbb-8ccc-ddddeeeeffff';

/**
 * Pins the one table of access → permissions. A change here is a change of what a service key may do
 * in ClickHouse: it should be deliberate, and come with its source.
 */
describe('service access table', () => {
  it('maps each access to these permission names and organization role, and nothing else', () => {
    const names = Object.fromEntries(
      SERVICE_ACCESS.map((access) => {
        const grant = SERVICE_ACCESS_TABLE[access];
        return [
          access,
          {
            permissions: grant.permissions.map((p) => p.name),
            organizationRole: grant.organizationRole?.name ?? null,
          },
        ];
      }),
    );
    expect(names).toEqual({
      read: { permissions: ['control-plane:service:view'], organizationRole: null },
      manage: {
        permissions: ['control-plane:service:view', 'control-plane:service:manage'],
        organizationRole: null,
      },
      'query-endpoints': {
        permissions: ['control-plane:service:view-query-api-endpoints'],
        organizationRole: 'Member',
      },
    });
    expect(Object.keys(SERVICE_ACCESS_TABLE).sort()).toEqual([...SERVICE_ACCESS].sort());
  });

  it('names a source for every name, and says which ones no source confirms', () => {
    const entries = SERVICE_ACCESS.flatMap((access) => {
      const grant = SERVICE_ACCESS_TABLE[access];
      return [...grant.permissions, ...(grant.organizationRole ? [grant.organizationRole] : [])].map(
        (entry) => ({
          access,
          ...entry,
        }),
      );
    });
    for (const entry of entries) expect(entry.source).toMatch(/\b(DOC-ROLES|DOC-KEYS|CTL|TF)\b/);
    expect(entries.filter((entry) => entry.uncertain !== undefined).map((e) => [e.access, e.name])).toEqual([
      ['manage', 'control-plane:service:manage'],
      ['query-endpoints', 'control-plane:service:view-query-api-endpoints'],
    ]);
    const member = SERVICE_ACCESS_TABLE['query-endpoints'].organizationRole;
    expect(member?.source).toMatch(/console tip/);
  });

  it('cannot be changed at run time', () => {
    expect(() => {
      (SERVICE_ACCESS_TABLE.read.permissions as unknown as unknown[]).push({
        name: 'control-plane:service:manage',
      });
    }).toThrow(TypeError);
  });
});

describe('servicePolicies', () => {
  it('one ALLOW policy on exactly the chosen services, sorted and without repeats', () => {
    expect(servicePolicies('read', [B, A, B])).toEqual([
      {
        allowDeny: 'ALLOW',
        permissions: ['control-plane:service:view'],
        resources: [`instance/${A}`, `instance/${B}`],
      },
    ]);
    expect(servicePolicies('query-endpoints', [A])).toEqual([
      {
        allowDeny: 'ALLOW',
        permissions: ['control-plane:service:view-query-api-endpoints'],
        resources: [`instance/${A}`],
      },
    ]);
  });

  it('reads alike whatever order the services were picked in', () => {
    expect(servicePolicies('manage', [A, B])).toEqual(servicePolicies('manage', [B, A]));
  });

  it('refuses a role for no service (it would grant nothing, or read as everything)', () => {
    const thrown = (() => {
      try {
        servicePolicies('read', []);
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(isKeyhouseError(thrown, 'invalid_input')).toBe(true);
  });
});
