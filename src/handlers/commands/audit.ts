import type { RespondFn } from '@slack/bolt';
import { parseAuditQuery } from '../../core/audit-read.js';
import { isKeyhouseError } from '../../core/errors.js';
import { auditMessage, auditRefused } from '../../views/audit.js';
import { escapeMrkdwn } from '../../views/mrkdwn.js';
import type { HandlerDeps } from '../deps.js';
import { answer } from '../shared/key-surface.js';
import { wordsOf } from '../shared/words.js';

/**
 * `@name` as typed. Slack escapes a person picked from its suggestions (`<@U123|name>`, the
 * manifest's `should_escape: true`), so a bare one is text Slack matched to nobody: asked about,
 * never read as a key name.
 */
function bareHandle(words: readonly string[]): string | null {
  const [word] = words;
  return word !== undefined && /^@[^\s<>]+$/.test(word) ? word.slice(1) : null;
}

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
  const handle = bareHandle(words);
  if (handle !== null) {
    // Admins only, whatever was asked: nobody else learns even how the words were read.
    if (!(await deps.policy.isAdmin(userId))) return answer(respond, auditRefused());
    const m = await wordsOf(deps, userId);
    const text = m.t('newcomer.auditWhoIs', {
      handle: escapeMrkdwn(handle.slice(0, 80)),
      command: escapeMrkdwn(deps.command),
    });
    return answer(respond, { text, response_type: 'ephemeral' });
  }
  const query = parseAuditQuery(words);
  try {
    const lines = await deps.workflow.readAudit(userId, query);
    await answer(respond, auditMessage({ query, lines }));
  } catch (error) {
    if (isKeyhouseError(error) && error.code === 'not_allowed') return answer(respond, auditRefused());
    throw error;
  }
}
