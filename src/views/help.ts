/** Usage answers for the slash command (product.md §1): help, an unknown word, a feature still to come. */
import type { KnownBlock } from '@slack/types';
import { clip, fitText, LIMIT, md } from './format.js';
import { escapeMrkdwn } from './mrkdwn.js';

export interface HelpMessage {
  text: string;
  blocks?: KnownBlock[];
  response_type: 'ephemeral';
}

function usage(command: string): string {
  const c = escapeMrkdwn(command);
  return [
    `\`${c}\` or \`${c} request\`: ask for a new ClickHouse Cloud API key`,
    `\`${c} list\`: your keys`,
    `\`${c} list all\`: every key in the organization (approvers and admins)`,
    `\`${c} review\`: stale keys, keys without an owner, keys retiring after a rotation (admins)`,
    `\`${c} help\`: this help`,
  ].join('\n');
}

/** `/chkey help`. */
export function helpMessage(command: string): HelpMessage {
  const intro =
    'Keyhouse gives you ClickHouse Cloud API keys with approval. Once your request is approved you get a ' +
    '*Create key* button; the key is made when you click it, and its secret is shown to you once.';
  return {
    text: `How to use ${escapeMrkdwn(command)}`,
    blocks: [
      { type: 'section', text: md(intro) },
      { type: 'section', text: md(fitText(usage(command), LIMIT.text)) },
    ],
    response_type: 'ephemeral',
  };
}

/** Usage for a word the command does not know, quoting it. */
export function unknownCommand(command: string, word: string): HelpMessage {
  // A backtick in the word would end the code span early; a quote reads the same.
  const quoted = clip(word.replace(/`/g, "'"), 100);
  const said = `I don't know \`${escapeMrkdwn(command)} ${quoted}\`.`;
  return {
    text: said,
    blocks: [
      { type: 'section', text: md(said) },
      { type: 'section', text: md(fitText(usage(command), LIMIT.text)) },
    ],
    response_type: 'ephemeral',
  };
}

/** A subcommand that exists in the product but not yet in this release. */
export function comingSoon(command: string, feature: string): HelpMessage {
  return {
    text: `\`${escapeMrkdwn(command)} ${clip(feature, 100)}\` arrives in a later release.`,
    response_type: 'ephemeral',
  };
}
