import type { Capability, PolicyRule } from '../../src/vault/policy.js';

/** A policy rule as the fake holds it: the path and what it allows (the `why` is for people only). */
export type AclRule = Pick<PolicyRule, 'path' | 'capabilities'>;

/**
 * Vault's ACL check, as its policy docs describe it: the rules of all a token's policies are merged
 * path by path (capabilities united; `deny` overrides), then the one most specific rule that matches
 * the request path decides. A path in a rule is exact, has `+` for one whole segment, or ends in `*`
 * for any suffix.
 */
export class Acl {
  readonly #rules: AclRule[];

  constructor(rules: Iterable<AclRule>) {
    const merged = new Map<string, Set<Capability>>();
    for (const rule of rules) {
      const capabilities = merged.get(rule.path) ?? new Set<Capability>();
      for (const capability of rule.capabilities) capabilities.add(capability);
      merged.set(rule.path, capabilities);
    }
    this.#rules = [...merged].map(([path, capabilities]) => ({ path, capabilities: [...capabilities] }));
  }

  allows(path: string, capability: Capability): boolean {
    const matching = this.#rules.filter((rule) => matches(rule.path, path));
    const winner = matching.sort((a, b) => comparePriority(b.path, a.path))[0];
    if (winner === undefined || winner.capabilities.includes('deny')) return false;
    return winner.capabilities.includes(capability);
  }
}

function matches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const patternSegments = (glob ? pattern.slice(0, -1) : pattern).split('/');
  const pathSegments = path.split('/');
  for (const [index, segment] of patternSegments.entries()) {
    const actual = pathSegments[index];
    if (actual === undefined) return false;
    const last = index === patternSegments.length - 1;
    if (segment === '+') continue;
    if (last && glob) return actual.startsWith(segment);
    if (segment !== actual) return false;
  }
  return glob || pathSegments.length === patternSegments.length;
}

/**
 * Vault's "priority matching", lowest first: the first `+` or `*` comes earlier; it ends in `*` and the
 * other does not; it has more `+` segments; it is shorter; it is smaller lexicographically.
 */
function comparePriority(a: string, b: string): number {
  const wildcardAt = (path: string) => {
    const at = path.search(/[+*]/);
    return at === -1 ? Number.POSITIVE_INFINITY : at;
  };
  const pluses = (path: string) => path.split('/').filter((segment) => segment === '+').length;
  return (
    Math.sign(wildcardAt(a) - wildcardAt(b)) ||
    Number(b.endsWith('*')) - Number(a.endsWith('*')) ||
    pluses(b) - pluses(a) ||
    a.length - b.length ||
    (a < b ? -1 : a > b ? 1 : 0)
  );
}
