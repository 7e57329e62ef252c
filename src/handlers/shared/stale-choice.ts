import type { RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { errorSaying, type Messages } from '../../i18n/index.js';
import type { StaleOutcome } from '../../timers/index.js';
import { staleOutcomeMessage } from '../../views/timed-messages.js';
import { answer } from './key-surface.js';

const keyId = z.string().uuid();

/** A lifecycle button's value is only a key UUID; anything else is crafted or stale (told in the clicker's words). */
export function parseKeyId(value: unknown): string {
  const parsed = keyId.safeParse(value);
  if (!parsed.success) throw errorSaying('not_found', 'keyDialogs.buttonGone');
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
