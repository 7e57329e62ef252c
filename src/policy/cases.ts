import { z } from 'zod';
import type { PolicyDocument } from '../core/policy-model.js';
import { abilitiesOf, type PersonAbilities } from './abilities.js';
import type { PolicyLines } from './lines.js';
import { isGroupId, isUserId } from './schema.js';

/**
 * `npm run policy -- test FILE`: a policy repository's own tests. Each case is a person, their user
 * groups, and what they must (`can`) and must not (`cannot`) be able to do:
 *
 * ```yaml
 * policy: policy.yml              # relative to this file (else --policy or KEYHOUSE_POLICY)
 * cases:
 *   - name: the on-call engineer gets production at once
 *     user: U0BOB
 *     groups: [S0ONCALL]
 *     can: [request prod-read, on-call prod-read, break-glass prod-admin]
 *     cannot: [approve, manage all]
 * ```
 *
 * What a case may name: `request <role>`, `on-call <role>` (approved at once through
 * `autoApprove`), `break-glass <role>`, `approve`, `approve own` (selfApproval), `list all`,
 * `manage all` (an admin). A word or role the policy does not know fails the case: a typo must
 * never pass as "cannot".
 */

const ability = z.string().trim().min(1);

const caseSchema = z.strictObject({
  name: z.string().trim().min(1).optional(),
  user: z.string().refine(isUserId, { error: (i) => `"${String(i.input)}" is not a user ID (U…/W…)` }),
  groups: z
    .array(z.string().refine(isGroupId, { error: (i) => `"${String(i.input)}" is not a user-group ID (S…)` }))
    .default([]),
  can: z.array(ability).default([]),
  cannot: z.array(ability).default([]),
});

export const casesFileSchema = z.strictObject({
  policy: z.string().min(1).optional(),
  cases: z.array(caseSchema).min(1, { error: 'must list at least one case' }),
});

export type PolicyCase = z.infer<typeof caseSchema>;

export interface CaseResult {
  name: string;
  failures: string[];
}

/** Runs every case against `doc`; a case passes when it has no failures. */
export async function runCases(
  doc: PolicyDocument,
  lines: PolicyLines | null,
  cases: readonly PolicyCase[],
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const [i, c] of cases.entries()) {
    const who = await abilitiesOf(doc, lines, c.user, c.groups);
    const failures: string[] = [];
    for (const [expected, list] of [
      [true, c.can],
      [false, c.cannot],
    ] as const) {
      for (const wording of list) {
        const actual = judge(doc, who, wording);
        if ('error' in actual) failures.push(`${wording}: ${actual.error}`);
        else if (actual.may !== expected)
          failures.push(
            `expected ${expected ? 'can' : 'cannot'} ${wording}, but ${expected ? 'cannot' : 'can'}`,
          );
      }
    }
    results.push({ name: c.name ?? `case ${i + 1} (${c.user})`, failures });
  }
  return results;
}

/** Whether the person may do what `wording` names, or why the wording means nothing here. */
function judge(
  doc: PolicyDocument,
  who: PersonAbilities,
  wording: string,
): { may: boolean } | { error: string } {
  const [verb = '', ...rest] = wording.split(/\s+/);
  const object = rest.join(' ');
  const roleAbility = () => {
    const found = who.roles.find((r) => r.role.id === object);
    return found ?? null;
  };
  switch (verb) {
    case 'request':
    case 'on-call':
    case 'break-glass': {
      const r = roleAbility();
      if (!r) {
        const known = doc.roles.map((x) => x.id).join(', ');
        return { error: `the policy has no role "${object}" (roles: ${known})` };
      }
      if (verb === 'request') return { may: r.request };
      if (verb === 'on-call') return { may: r.onCall !== null };
      return { may: r.breakGlass !== null };
    }
    case 'approve':
      if (object === '') return { may: who.approve.may };
      if (object === 'own') return { may: who.approve.may && who.approve.selfApproval };
      break;
    case 'list':
      if (object === 'all') return { may: who.listAll };
      break;
    case 'manage':
      if (object === 'all') return { may: who.admin.may };
      break;
  }
  return {
    error:
      'unknown ability (use request <role>, on-call <role>, break-glass <role>, approve, approve own, list all or manage all)',
  };
}
