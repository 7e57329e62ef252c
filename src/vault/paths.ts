import { KeyhouseError } from '../core/errors.js';

/**
 * Vault paths built from configuration (a KV mount, a path, an AppRole mount, a namespace) and from
 * names people chose (a key name filled into the path). Each is checked segment by segment and each
 * segment percent-encoded, so no value can climb out of its mount (`..`), point at another route
 * (`?`, `#`, an encoded `/`) or reach Vault's own mounts.
 */

/** Mounts that belong to Vault itself; a KV engine cannot be mounted there. */
const RESERVED_MOUNTS: ReadonlySet<string> = new Set(['sys', 'auth', 'identity', 'cubbyhole']);
const CONTROL = /\p{Cc}/u;
/** `{keyName}`: a placeholder the caller fills before calling (the client only validates, never templates). */
const PLACEHOLDER = /\{[A-Za-z][A-Za-z0-9]*\}/g;
const MAX_PATH_LENGTH = 512;

export type PathKind = 'mount' | 'path' | 'approleMount' | 'namespace';

/** The segments of a mount or path; throws `invalid_input` naming the problem (never the value). */
export function segmentsOf(kind: PathKind, value: unknown): string[] {
  if (typeof value !== 'string' || value === '') throw invalid(kind, 'is empty');
  if (value.length > MAX_PATH_LENGTH) throw invalid(kind, `is longer than ${MAX_PATH_LENGTH} characters`);
  if (CONTROL.test(value)) throw invalid(kind, 'contains a control character');
  const segments = value.split('/');
  if (segments.some((segment) => segment === '')) {
    throw invalid(kind, 'has an empty segment (a leading, trailing or doubled "/")');
  }
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    throw invalid(kind, 'has a "." or ".." segment');
  }
  return segments;
}

/** A KV v2 mount: segments, not one of Vault's own mounts. */
export function checkMount(mount: unknown): string[] {
  const segments = segmentsOf('mount', mount);
  if (RESERVED_MOUNTS.has(segments[0]!)) throw invalid('mount', `is under Vault's own "${segments[0]}/"`);
  return segments;
}

/** A concrete KV path: segments, with every placeholder already filled in. */
export function checkKvPath(path: unknown): string[] {
  const segments = segmentsOf('path', path);
  const left = (path as string).match(PLACEHOLDER);
  if (left !== null) throw invalid('path', `still holds the placeholder ${left[0]}; fill it before calling`);
  return segments;
}

/**
 * A configured path template such as `clickhouse/{keyName}`: segments, braces only as whole `{name}`
 * placeholders. Returns the placeholder names, in order, for the caller to fill.
 */
export function checkPathTemplate(template: unknown): string[] {
  segmentsOf('path', template);
  const names = [...(template as string).matchAll(PLACEHOLDER)].map((match) => match[0].slice(1, -1));
  if (/[{}]/.test((template as string).replace(PLACEHOLDER, ''))) {
    throw invalid('path', 'has a "{" or "}" that is not part of a {name} placeholder');
  }
  return names;
}

/**
 * The namespace for `X-Vault-Namespace` (`admin`, `ns1/ns2/`): one trailing `/` is allowed, and a header
 * value can hold printable ASCII only.
 */
export function checkNamespace(namespace: unknown): string {
  const value = typeof namespace === 'string' ? namespace.replace(/\/$/, '') : namespace;
  segmentsOf('namespace', value);
  if (!/^[\x21-\x7e]+$/.test(value as string)) {
    throw invalid('namespace', 'must be printable ASCII without spaces');
  }
  return namespace as string;
}

/** `/v1/<mount>/<kind>/<path>`, every segment encoded. */
export function kvUrlPath(mount: string, kind: 'data' | 'metadata', path: string): string {
  return urlPath([...checkMount(mount), kind, ...checkKvPath(path)]);
}

/** `/v1/auth/<approleMount>/login`. */
export function loginUrlPath(approleMount: string): string {
  return urlPath(['auth', ...segmentsOf('approleMount', approleMount), 'login']);
}

export function urlPath(segments: readonly string[]): string {
  return `/v1/${segments.map(encodeURIComponent).join('/')}`;
}

function invalid(kind: PathKind, problem: string): KeyhouseError {
  return new KeyhouseError('invalid_input', `Vault ${kind} ${problem}`);
}
