/**
 * Short messages: what the requester is told by DM, the thread replies under an approval
 * message, and the ephemeral answers for errors and refusals.
 */
import type { KnownBlock } from '@slack/types';
import type { RequesterNotice, ThreadNote } from '../core/ports.js';
import { clip, fitText, formatInstant, LIMIT, md, slackDate } from './format.js';
import { escapeMrkdwn, mention } from './mrkdwn.js';
import { refusalText } from './outcomes.js';

export interface NoticeOptions {
  /** The slash command, for "request it again with /chkey". */
  command?: string;
}

import { Catalog } from '../i18n/index.js';

// English until this view is converted (the next commit).
const englishForNow = new Catalog().messages({ locale: 'en', timeZone: 'UTC' });

/** An ephemeral answer that leaves the message it answers in place. */
export interface EphemeralNotice {
  text: string;
  response_type: 'ephemeral';
  replace_original: false;
}

/** The requester's direct message for each outcome that is not a Create key button. */
export function requesterNotice(
  notice: RequesterNotice,
  options: NoticeOptions = {},
): { text: string; blocks?: KnownBlock[] } {
  if (notice.kind === 'key_managed') {
    const key = `*${clip(notice.keyName, 200)}* (…${clip(notice.keySuffix, 8)})`;
    const what = notice.verb === 'shortened' ? 'shortened the expiry of' : notice.verb;
    return { text: `🔧 ${mention(notice.by)} ${what} your ClickHouse API key ${key}.` };
  }
  if (
    notice.kind === 'rotation_started' ||
    notice.kind === 'key_retired' ||
    notice.kind === 'key_reassigned'
  ) {
    return lifecycleNotice(notice);
  }
  const name = clip(notice.request.keyName, 200);
  const again = `request it again with \`${escapeMrkdwn(options.command ?? '/chkey')}\``;
  switch (notice.kind) {
    case 'denied': {
      const head = `⛔ Your request for the API key *${name}* was denied by ${mention(notice.by)}.`;
      const reason = notice.reason?.trim()
        ? `*Reason*\n${clip(notice.reason, LIMIT.text - 20)}`
        : 'No reason was given.';
      return {
        text: `Your API key request ${name} was denied by ${mention(notice.by)}.`,
        blocks: [
          { type: 'section', text: md(fitText(head, LIMIT.text)) },
          { type: 'section', text: md(reason) },
        ],
      };
    }
    case 'expired':
      return {
        text:
          notice.stage === 'approval'
            ? `⌛ Your request for the API key *${name}* expired before it was decided; ${again} if you still need it.`
            : `⌛ The approval for the API key *${name}* expired before you created the key; ${again} if you still need it.`,
      };
    case 'not_delivered':
      return {
        text: notice.keyDeleted
          ? `⚠️ Slack didn't accept the message holding the secret of *${name}*, so the key was deleted; ` +
            'nobody has seen its secret. Click *Create key* again.'
          : `⚠️ Slack didn't accept the message holding the secret of *${name}*, and we couldn't delete the key yet; ` +
            'Keyhouse will delete it shortly. Click *Create key* again afterwards.',
      };
    case 'recovered':
      return {
        text:
          `🔄 Keyhouse restarted while making your API key *${name}*; nothing was left behind. ` +
          'Click *Create key* again.',
      };
    case 'change_applied':
      return { text: `✅ The approved change to the API key *${name}* was applied.` };
    case 'change_failed':
      return {
        text: fitText(
          `⚠️ The approved change to the API key *${name}* could not be applied: ${clip(notice.refusal ? refusalText(englishForNow, notice.refusal) : 'ClickHouse did not apply it.', 1000)}\n` +
            'Click *Apply change* in the message below to try again.',
          LIMIT.text,
        ),
      };
  }
}

type LifecycleNotice = Extract<
  RequesterNotice,
  { kind: 'rotation_started' | 'key_retired' | 'key_reassigned' }
>;

function lifecycleNotice(notice: LifecycleNotice): { text: string } {
  const key = `*${clip(notice.keyName, 200)}* (…${clip(notice.keySuffix, 8)})`;
  switch (notice.kind) {
    case 'rotation_started':
      return {
        text:
          `🔁 Your API key ${key} was rotated: its successor is …${clip(notice.successorSuffix, 8)}. ` +
          `The old key keeps working until ${slackDate(notice.at)}, then it is disabled. Move your jobs to the new key before then.`,
      };
    case 'key_retired':
      return {
        text:
          `🔁 The rotation overlap of ${key} ended: it is now *disabled* (its successor is …${clip(notice.successorSuffix, 8)}). ` +
          `It will be deleted ${slackDate(notice.deleteAt)}.`,
      };
    case 'key_reassigned':
      return notice.role === 'new_owner'
        ? {
            text: `🔑 ${mention(notice.by)} made you the owner of the API key ${key}${notice.from ? ` (it was ${mention(notice.from)}'s)` : ''}. It now shows in your \`list\`.`,
          }
        : {
            text: `🔑 ${mention(notice.by)} gave your API key ${key} to ${mention(notice.to)}; you no longer own it.`,
          };
  }
}

/** A thread reply under the approval message, one per decision or event. */
export function threadNote(note: ThreadNote): { text: string } {
  switch (note.kind) {
    case 'approved':
      return { text: `✅ ${mention(note.by)} approved (${note.given} of ${note.needed})` };
    case 'denied':
      return {
        text: note.reason?.trim()
          ? fitText(`⛔ ${mention(note.by)} denied: ${clip(note.reason, LIMIT.text - 40)}`, LIMIT.text)
          : `⛔ ${mention(note.by)} denied (no reason given)`,
      };
    case 'expired':
      return { text: '⌛ Expired: the request was not decided in time.' };
    case 'key_created':
      return { text: `🔑 Key created ${formatInstant(note.at)}` };
    case 'claim_expired':
      return { text: '⌛ Expired: the requester did not create the key in time.' };
  }
}

/**
 * An error shown to the person who acted. `message` is Keyhouse's own wording (it may hold
 * channel links such as `<#C1>`), so it is not escaped; never pass user or upstream text here
 * unescaped. `reference` is the id under which the error was logged.
 */
export function errorNotice(message: string, reference?: string): EphemeralNotice {
  const ref = reference ? ` (reference \`${escapeMrkdwn(clip(reference, 100))}\`)` : '';
  return {
    text: fitText(`⚠️ ${message}${ref}`, LIMIT.text),
    response_type: 'ephemeral',
    replace_original: false,
  };
}

/**
 * The refusal for a user the policy does not let request any key. `adminsToAsk` is already
 * formatted mentions (`Policy.adminsToAsk()`).
 */
export function notAllowedToRequest(adminsToAsk: string): EphemeralNotice {
  const ask = adminsToAsk.trim() ? `ask ${adminsToAsk}` : 'ask a Keyhouse admin';
  return {
    text: fitText(`You are not allowed to request ClickHouse API keys. To get access, ${ask}.`, LIMIT.text),
    response_type: 'ephemeral',
    replace_original: false,
  };
}
