import { checkMount, checkPathTemplate } from './paths.js';

/** Vault ACL capabilities (Vault docs, "Policies"). */
export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny';

/** One `path "…" { capabilities = [...] }` block. */
export interface PolicyRule {
  /** A Vault policy path: exact, `+` for one whole segment, or ending in `*` for any suffix. */
  path: string;
  capabilities: readonly Capability[];
  /** Why Keyhouse needs it, written above the block. */
  why: string;
}

const PLACEHOLDER = /\{[A-Za-z][A-Za-z0-9]*\}/;

/**
 * The policy path covering every path a template can be filled into: a segment that is a whole
 * placeholder becomes `+`; the first segment with a placeholder inside it, or the last one, ends the
 * path as its text before the placeholder plus `*` (Vault allows `*` only at the end, so a template with
 * a fixed part after a partial placeholder gets a policy a little wider than it needs).
 */
export function policyGlob(pathTemplate: string): string {
  checkPathTemplate(pathTemplate);
  const segments = pathTemplate.split('/');
  const out: string[] = [];
  for (const [index, segment] of segments.entries()) {
    const at = segment.search(PLACEHOLDER);
    if (at === -1) {
      out.push(segment);
      continue;
    }
    const whole = segment.replace(PLACEHOLDER, '') === '';
    if (whole && index < segments.length - 1) {
      out.push('+');
      continue;
    }
    out.push(`${segment.slice(0, at)}*`);
    break;
  }
  return out.join('/');
}

/**
 * What Keyhouse needs to deliver keys into one KV v2 destination, and nothing more: it writes versions,
 * may read their numbers, and never reads a secret back or deletes one.
 */
export function keyhousePolicy(mount: string, pathTemplate: string): PolicyRule[] {
  checkMount(mount);
  const glob = policyGlob(pathTemplate);
  return [
    {
      path: `${mount}/data/${glob}`,
      capabilities: ['create', 'update'],
      why: 'Write one new version per delivered key: create for a new secret, update for the next version.',
    },
    {
      path: `${mount}/metadata/${glob}`,
      capabilities: ['read'],
      why: 'Read version numbers, never values: to settle a write whose answer was lost, and for check-and-set.',
    },
    {
      path: 'auth/token/lookup-self',
      capabilities: ['read'],
      why: "The readiness check (Vault's default policy grants it too).",
    },
  ];
}

/** The rules as HCL, as `vault policy write keyhouse -` takes them. */
export function policyHcl(rules: readonly PolicyRule[]): string {
  return rules
    .map((rule) => {
      const capabilities = rule.capabilities.map((capability) => `"${capability}"`).join(', ');
      // JSON's string quoting is HCL's too, so a path with a quote or backslash stays one string.
      return `# ${rule.why}\npath ${JSON.stringify(rule.path)} {\n  capabilities = [${capabilities}]\n}\n`;
    })
    .join('\n');
}
