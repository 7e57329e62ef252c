/** Usage answers for the slash command (product.md §1): help, and a word the command does not know. */
import type { KnownBlock } from '@slack/types';
import type { Messages } from '../i18n/index.js';
import { clip, fitText, LIMIT, md } from './format.js';
import { escapeMrkdwn } from './mrkdwn.js';

export interface HelpMessage {
  text: string;
  blocks?: KnownBlock[];
  response_type: 'ephemeral';
}

/**
 * What the reader may do, so help offers only that: someone who may not request is not offered
 * `/chkey request` (they are told whom to ask), approvers see `list all`, admins `review` and `audit`.
 */
export interface HelpFor {
  request: boolean;
  listAll: boolean;
  admin: boolean;
  /** Mentions of the admins to ask, for someone who may not request. */
  adminsToAsk: string;
}

function usage(m: Messages, command: string, can: HelpFor): string {
  const values = { command: escapeMrkdwn(command) };
  return [
    can.request ? m.t('help.request', values) : m.t('help.mayNotRequest', { admins: can.adminsToAsk }),
    m.t('help.list', values),
    can.listAll ? m.t('help.listAll', values) : null,
    can.admin ? m.t('help.review', values) : null,
    can.admin ? m.t('help.audit', values) : null,
    m.t('help.help', values),
  ]
    .filter((line) => line !== null)
    .join('\n');
}

/** `/chkey help`, for what this reader may do. */
export function helpMessage(m: Messages, command: string, can: HelpFor): HelpMessage {
  return {
    text: m.t('help.title', { command: escapeMrkdwn(command) }),
    blocks: [
      { type: 'section', text: md(m.t(can.request ? 'help.intro' : 'help.introNoRequest')) },
      { type: 'section', text: md(fitText(usage(m, command, can), LIMIT.text)) },
    ],
    response_type: 'ephemeral',
  };
}

/** Usage for a word the command does not know, quoting it. */
export function unknownCommand(m: Messages, command: string, word: string, can: HelpFor): HelpMessage {
  // A backtick in the word would end the code span early; a quote reads the same.
  const said = m.t('help.unknown', {
    command: escapeMrkdwn(command),
    word: clip(word.replace(/`/g, "'"), 100),
  });
  return {
    text: said,
    blocks: [
      { type: 'section', text: md(said) },
      { type: 'section', text: md(fitText(usage(m, command, can), LIMIT.text)) },
    ],
    response_type: 'ephemeral',
  };
}
