import type { RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { KeyhouseError } from '../../core/errors.js';
import type { Messages } from '../../i18n/index.js';
import type { StaleOutcome } from '../../timers/index.js';
import { staleOutcomeMessage } from '../../views/timed-messages.js';
import { answer } from './key-surface.js';

const keyId = z.string().uuid();

/** A lifecycle button's value is only a key UUID; anything else is crafted or stale. */
export function parseKeyId(value: unknown): string {
  const parsed = keyId.safeParse(value);
  if (!parsed.success) throw new KeyhouseError('not_found', 'That button no longer refers to a key.');
  return parsed.data.toLowerCase();
}

/** Rewrites the stale-key DM with what was chosen; its buttons go. */
export async function rewriteStaleMessage(
  m: Messages,
  respond: RespondFn | undefined,
  outcome: StaleOutcome,
): Promise<void> {
  await answer(respond, { ...staleOutcomeMessage(m, outcome), replace_original: true });
}
