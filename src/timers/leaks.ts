/**
 * A key marked leaked stays disabled (product.md §1, §9). The tripwire marks the key, then makes
 * its one write; should that write be lost (the process died between the two, or ClickHouse
 * refused it), or should someone enable the key again in the console, this rule disables it at the
 * next tick, until an admin lifts the mark.
 */
import type { ApiKey } from '../core/clickhouse.js';
import type { KeyOwner, LeakMark } from '../core/model.js';
import { changeKeyState } from '../workflow/keys.js';
import { aboutKey, type LifecycleDeps } from './deps.js';
import { RULE } from './rule-ids.js';
import { ABANDONED_AFTER_MS, type DueWork, type MarkBook, type TimerRule } from './scheduler.js';

const ATTEMPTS = 5;

export function leakEnforceRule(deps: LifecycleDeps): TimerRule {
  const { ctx } = deps;
  return {
    id: RULE.leakEnforce,
    needsKeys: true,
    due({ keys, owners, marks }) {
      const work: DueWork[] = [];
      for (const key of keys) {
        const owner = owners.get(key.id);
        if (!owner?.leak || key.state !== 'enabled') continue;
        work.push(enforce(ctx, key, owner, owner.leak, marks));
      }
      return work;
    },
  };
}

function enforce(
  ctx: LifecycleDeps['ctx'],
  key: ApiKey,
  owner: KeyOwner,
  leak: LeakMark,
  marks: MarkBook,
): DueWork {
  // Each time the key is found enabled again under the same mark is one more occurrence; a failed
  // or unfinished one is the same occurrence, tried again by the scheduler.
  const prefix = leak.at.toISOString();
  const done = marks
    .of(RULE.leakEnforce, key.id)
    .filter((m) => m.threshold.startsWith(prefix) && m.state === 'done');
  return {
    subject: key.id,
    threshold: `${prefix}#${done.length + 1}`,
    dueAt: leak.at,
    writes: 1,
    maxAttempts: ATTEMPTS,
    // A leaked key must not stay usable because a process died disabling it.
    abandonedAfterMs: ABANDONED_AFTER_MS,
    about: aboutKey(key, owner, { leakSource: leak.source, markedAt: prefix }),
    run: async () => {
      // PRIORITY: timer (the tick runs in the `timers` lane).
      await changeKeyState(ctx, 'system', key, 'disabled', { why: 'marked leaked', source: leak.source });
      return { disabled: key.id };
    },
  };
}
