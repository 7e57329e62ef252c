import type { RespondFn } from '@slack/bolt';
import { parseAuditQuery } from '../../core/audit-read.js';
import { isKeyhouseError } from '../../core/errors.js';
import { auditMessage, auditRefused } from '../../views/audit.js';
import type { HandlerDeps } from '../deps.js';
import { answer } from '../shared/key-surface.js';
import { wordsOf } from '../shared/words.js';

/**
 * `/chkey audit …` after the ack (admin membership may need a user-group lookup): the newest 20
 * matching events, or a refusal for anyone but an admin. Both ephemeral.
 */
export async function answerAudit(
  deps: HandlerDeps,
  userId: string,
  words: readonly string[],
  respond: RespondFn | undefined,
): Promise<void> {
  const query = parseAuditQuery(words);
  const m = await wordsOf(deps, userId);
  try {
    const lines = await deps.workflow.readAudit(userId, query);
    await answer(respond, auditMessage(m, { query, lines }));
  } catch (error) {
    if (isKeyhouseError(error) && error.code === 'not_allowed') return answer(respond, auditRefused(m));
    throw error;
  }
}
