/**
 * Every renderer of src/views, with cases that reach its branches, drawn from `Data` so the same
 * cases run with everyday values and with the longest values the policy and Slack allow. The
 * word tests (views.test.ts) render them all in every language.
 */
import type { Messages } from '../../src/i18n/index.js';
import { helpMessage, unknownCommand } from '../../src/views/help.js';
import {
  DIALOG_EVERYDAY,
  DIALOG_LONGEST,
  DIALOG_RENDERINGS,
  DIALOG_VIEW_MODULES,
  type DialogData,
} from './dialog-renderings.js';

/** What a case renders to, and where Slack would show it (which limits hold). */
export type Rendered =
  | { kind: 'message'; body: object }
  | { kind: 'modal'; body: object }
  | { kind: 'home'; body: object }
  /** A line that ends up in another surface (a field error under an input, a notice line). */
  | { kind: 'line'; body: string };

/** The people, names and words the cases use: user data, never from a catalog. */
export interface Data extends DialogData {
  command: string;
  /** A word the command does not know. */
  word: string;
  /** The admins to ask, as Slack mentions (the policy's `adminsToAsk`). */
  admins: string;
}

export const EVERYDAY: Data = {
  command: '/chkey',
  word: 'frobnicate',
  admins: '<@U0DANA>',
  ...DIALOG_EVERYDAY,
};

/** Slack allows a slash command of 32 characters; a word may be as long as a message allows. */
export const LONGEST: Data = {
  command: `/${'k'.repeat(31)}`,
  word: 'w'.repeat(3_900),
  admins: Array.from({ length: 20 }, (_, i) => `<!subteam^S0ADMINS${String(i).padStart(4, '0')}>`).join(', '),
  ...DIALOG_LONGEST,
};

/** Every string of `data`: what the views may show that did not come from a catalog. */
export function dataStrings(data: Data): string[] {
  return Object.values(data).filter((value): value is string => typeof value === 'string');
}

const message = (body: object): Rendered => ({ kind: 'message', body });

/** Renderer name → its cases. A renderer exported by a view module must be here (views.test.ts checks). */
export const RENDERINGS: Record<string, (m: Messages, data: Data) => Rendered[]> = {
  helpMessage: (m, d) => [
    message(helpMessage(m, d.command, { request: true, listAll: true, admin: true, adminsToAsk: d.admins })),
    message(
      helpMessage(m, d.command, { request: false, listAll: false, admin: false, adminsToAsk: d.admins }),
    ),
  ],
  unknownCommand: (m, d) => [
    message(
      unknownCommand(m, d.command, d.word, {
        request: true,
        listAll: false,
        admin: false,
        adminsToAsk: d.admins,
      }),
    ),
  ],
  ...DIALOG_RENDERINGS,
};

/** View modules, and their exports that render nothing (readers of payloads, helpers, ids). */
export const VIEW_MODULES: Record<string, readonly string[]> = {
  help: [],
  ...DIALOG_VIEW_MODULES,
};

/** Modules of src/views that render no words of their own: ids, formatting helpers, the index. */
export const NOT_VIEWS = ['format', 'ids', 'index', 'mrkdwn'];

/** Views still to be converted to the catalogs (issue #21); empty when every view speaks from them. */
export const NOT_CONVERTED = [
  'audit',
  'audit-head',
  'home',
  'key-list',
  'notices',
  'outcomes',
  'review',
  'timed-messages',
  'watch',
];
