/**
 * The policy's key-name rule in words (issue #20 item 2): the Key name field's hint states the
 * rule the name is checked against, not a generic "up to 64 characters", so nobody learns it only
 * from a failed try.
 *
 * The usual shapes of `keyName.pattern` are read: a run of character classes (`[a-z0-9-]`, `\d`,
 * a literal), each with an optional count (`{2,40}`, `+`, `*`, `?`), anchored or not. From them
 * come the length, the characters allowed, and those not allowed first. A pattern outside these
 * shapes (alternatives, groups, partial ranges like `a-f`) is not guessed at: the policy's own
 * `hint` is shown, else the pattern itself.
 */
import { MAX_KEY_NAME_LENGTH } from '../core/policy-model.js';
import type { Messages } from '../i18n/index.js';

/** The kinds of character a rule is described with, in the order they are named. */
const CLASSES = ['letter', 'lower', 'upper', 'digit', 'space', 'underscore', 'dot', 'dash'] as const;
type CharClass = (typeof CLASSES)[number];

export interface KeyNameRule {
  min: number;
  max: number;
  /** Every kind of character the name may hold. */
  allowed: ReadonlySet<CharClass>;
  /** Kinds allowed elsewhere but not as the first character. */
  notFirst: ReadonlySet<CharClass>;
}

interface Atom {
  classes: Set<CharClass>;
  min: number;
  max: number;
}

/** `[a-z0-9-]`'s members: `a-z`, `A-Z`, `0-9` whole, and the four punctuation marks names use. */
function readClass(body: string): Set<CharClass> | null {
  const out = new Set<CharClass>();
  let i = 0;
  while (i < body.length) {
    const rest = body.slice(i);
    const range = /^(a-z|A-Z|0-9)/.exec(rest);
    if (range) {
      out.add(range[1] === 'a-z' ? 'lower' : range[1] === 'A-Z' ? 'upper' : 'digit');
      i += 3;
      continue;
    }
    const escaped = /^\\([d.\-_ ])/.exec(rest);
    const ch = escaped ? escaped[1] : rest[0];
    if (ch === 'd' && escaped) out.add('digit');
    else if (ch === '-') out.add('dash');
    else if (ch === '_') out.add('underscore');
    else if (ch === '.') out.add('dot');
    else if (ch === ' ') out.add('space');
    else return null;
    i += escaped ? 2 : 1;
  }
  return out.size > 0 ? out : null;
}

function readCount(source: string, at: number): { min: number; max: number; length: number } {
  const ch = source[at];
  if (ch === '+') return { min: 1, max: Number.POSITIVE_INFINITY, length: 1 };
  if (ch === '*') return { min: 0, max: Number.POSITIVE_INFINITY, length: 1 };
  if (ch === '?') return { min: 0, max: 1, length: 1 };
  const braces = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(source.slice(at));
  if (!braces) return { min: 1, max: 1, length: 0 };
  const min = Number(braces[1]);
  const max = braces[2] === undefined ? min : braces[3] === '' ? Number.POSITIVE_INFINITY : Number(braces[3]);
  return { min, max, length: braces[0].length };
}

/** The rule a pattern states, or null when its shape is not one read here. */
export function keyNameRule(pattern: string): KeyNameRule | null {
  const source = pattern.replace(/^\^/, '').replace(/\$$/, '');
  const atoms: Atom[] = [];
  let i = 0;
  while (i < source.length) {
    let classes: Set<CharClass> | null;
    if (source[i] === '[') {
      const end = source.indexOf(']', i + 1);
      if (end < 0 || source[i + 1] === '^') return null;
      classes = readClass(source.slice(i + 1, end));
      i = end + 1;
    } else if (source.startsWith('\\d', i)) {
      classes = new Set(['digit']);
      i += 2;
    } else {
      classes = readClass(source.slice(i, i + 1));
      i += 1;
    }
    if (!classes) return null;
    const count = readCount(source, i);
    i += count.length;
    if (count.max < count.min) return null;
    atoms.push({ classes, min: count.min, max: count.max });
  }
  if (atoms.length === 0) return null;
  const allowed = new Set<CharClass>(atoms.flatMap((a) => [...a.classes]));
  const min = Math.max(
    1,
    atoms.reduce((sum, a) => sum + a.min, 0),
  );
  const max = Math.min(
    MAX_KEY_NAME_LENGTH,
    atoms.reduce((sum, a) => sum + a.max, 0),
  );
  if (min > max) return null;
  // The first character comes from the first atom that must be there (optional atoms before it
  // could start the name too).
  const firstKinds = new Set<CharClass>();
  for (const atom of atoms) {
    for (const c of atom.classes) firstKinds.add(c);
    if (atom.min > 0) break;
  }
  const notFirst = new Set([...allowed].filter((c) => !firstKinds.has(c)));
  return { min, max, allowed: merged(allowed), notFirst: merged(notFirst) };
}

/** Lower and upper case together read as "letters". */
function merged(classes: Set<CharClass>): Set<CharClass> {
  if (!classes.has('lower') || !classes.has('upper')) return classes;
  const out = new Set(classes);
  out.delete('lower');
  out.delete('upper');
  out.add('letter');
  return out;
}

const MANY = {
  letter: 'keyNameRule.letters',
  lower: 'keyNameRule.lowers',
  upper: 'keyNameRule.uppers',
  digit: 'keyNameRule.digits',
  space: 'keyNameRule.spaces',
  underscore: 'keyNameRule.underscores',
  dot: 'keyNameRule.dots',
  dash: 'keyNameRule.dashes',
} as const;

const ONE = {
  letter: 'keyNameRule.letter',
  lower: 'keyNameRule.lower',
  upper: 'keyNameRule.upper',
  digit: 'keyNameRule.digit',
  space: 'keyNameRule.space',
  underscore: 'keyNameRule.underscore',
  dot: 'keyNameRule.dot',
  dash: 'keyNameRule.dash',
} as const;

function listOf(
  m: Messages,
  classes: ReadonlySet<CharClass>,
  words: Record<CharClass, Parameters<Messages['t']>[0]>,
  type: 'conjunction' | 'disjunction',
): string {
  const names = CLASSES.filter((c) => classes.has(c)).map((c) => m.t(words[c]));
  return new Intl.ListFormat(m.locale, { style: 'long', type }).format(names);
}

/**
 * The hint under the Key name field: the rule in the reader's words, else the policy's hint,
 * else the pattern.
 */
export function keyNameHint(m: Messages, policy: { pattern: string; hint: string | null }): string {
  const rule = keyNameRule(policy.pattern);
  if (!rule) {
    return policy.hint ?? m.t('keyNameRule.pattern', { pattern: policy.pattern });
  }
  const allowed = listOf(m, rule.allowed, MANY, 'conjunction');
  const length =
    rule.min === rule.max
      ? m.t('keyNameRule.exactly', { n: rule.min })
      : m.t('keyNameRule.between', { min: rule.min, max: rule.max });
  const notFirst =
    rule.notFirst.size === 0
      ? ''
      : ` ${m.t('keyNameRule.notFirst', { what: listOf(m, rule.notFirst, ONE, 'disjunction') })}`;
  return `${m.t('keyNameRule.rule', { length, allowed })}${notFirst}`;
}

/** How long a name the field takes: the rule's longest when it is read, else Keyhouse's limit. */
export function keyNameMaxLength(pattern: string): number {
  return keyNameRule(pattern)?.max ?? MAX_KEY_NAME_LENGTH;
}
