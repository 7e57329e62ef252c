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

function usage(m: Messages, command: string): string {
  const values = { command: escapeMrkdwn(command) };
  return [
    m.t('help.request', values),
    m.t('help.list', values),
    m.t('help.listAll', values),
    m.t('help.review', values),
    m.t('help.help', values),
  ].join('\n');
}

/** `/chkey help`. */
export function helpMessage(m: Messages, command: string): HelpMessage {
  return {
    text: m.t('help.title', { command: escapeMrkdwn(command) }),
    blocks: [
      { type: 'section', text: md(m.t('help.intro')) },
      { type: 'section', text: md(fitText(usage(m, command), LIMIT.text)) },
    ],
    response_type: 'ephemeral',
  };
}

/** Usage for a word the command does not know, quoting it. */
export function unknownCommand(m: Messages, command: string, word: string): HelpMessage {
  // A backtick in the word would end the code span early; a quote reads the same.
  const said = m.t('help.unknown', {
    command: escapeMrkdwn(command),
    word: clip(word.replace(/`/g, "'"), 100),
  });
  return {
    text: said,
    blocks: [
      { type: 'section', text: md(said) },
      { type: 'section', text: md(fitText(usage(m, command), LIMIT.text)) },
    ],
    response_type: 'ephemeral',
  };
}
