/**
 * Short messages: what the requester is told by DM, the thread replies under an approval
 * message, and the ephemeral answers for errors and refusals.
 */
import type { KnownBlock } from '@slack/types';
import type { RequesterNotice, ThreadNote } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { clip, fitText, LIMIT, md, slackDate } from './format.js';
import { escapeMrkdwn, mention } from './mrkdwn.js';
import { refusalText } from './outcomes.js';

export interface NoticeOptions {
  /** The slash command, for "request it again with /chkey". */
  command?: string;
}

/** An ephemeral answer that leaves the message it answers in place. */
export interface EphemeralNotice {
  text: string;
  response_type: 'ephemeral';
  replace_original: false;
}

/** The requester's direct message for each outcome that is not a Create key button, in their words. */
export function requesterNotice(
  m: Messages,
  notice: RequesterNotice,
  options: NoticeOptions = {},
): { text: string; blocks?: KnownBlock[] } {
  if (notice.kind === 'key_managed') {
    const key = `*${clip(notice.keyName, 200)}* (…${clip(notice.keySuffix, 8)})`;
    return { text: m.t('notices.keyManaged', { user: mention(notice.by), verb: notice.verb, key }) };
  }
  if (
    notice.kind === 'rotation_started' ||
    notice.kind === 'key_retired' ||
    notice.kind === 'key_reassigned'
  ) {
    return lifecycleNotice(m, notice);
  }
  const name = clip(notice.request.keyName, 200);
  const again = m.t('notices.again', { command: escapeMrkdwn(options.command ?? '/chkey') });
  switch (notice.kind) {
    case 'denied': {
      const head = m.t('notices.deniedHead', { name, user: mention(notice.by) });
      const reason = notice.reason?.trim()
        ? `${m.t('notices.reason')}\n${clip(notice.reason, LIMIT.text - 20)}`
        : m.t('notices.noReason');
      return {
        text: m.t('notices.deniedText', { name, user: mention(notice.by) }),
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
            ? m.t('notices.expiredApproval', { name, again })
            : m.t('notices.expiredClaim', { name, again }),
      };
    case 'not_delivered':
      return {
        text: notice.keyDeleted
          ? m.t('notices.notDeliveredDeleted', { name })
          : m.t('notices.notDeliveredPending', { name }),
      };
    case 'recovered':
      return { text: m.t('notices.recovered', { name }) };
    case 'change_applied':
      return { text: m.t('notices.changeApplied', { name }) };
    case 'change_failed': {
      const why = clip(notice.refusal ? refusalText(m, notice.refusal) : m.t('notices.notApplied'), 1000);
      return {
        text: fitText(
          `${m.t('notices.changeFailed', { name, why })}\n${m.t('notices.changeFailedRetry')}`,
          LIMIT.text,
        ),
      };
    }
  }
}

type LifecycleNotice = Extract<
  RequesterNotice,
  { kind: 'rotation_started' | 'key_retired' | 'key_reassigned' }
>;

function lifecycleNotice(m: Messages, notice: LifecycleNotice): { text: string } {
  const key = `*${clip(notice.keyName, 200)}* (…${clip(notice.keySuffix, 8)})`;
  switch (notice.kind) {
    case 'rotation_started':
      return {
        text: m.t('notices.rotationStarted', {
          key,
          successor: clip(notice.successorSuffix, 8),
          when: slackDate(notice.at),
        }),
      };
    case 'key_retired':
      return {
        text: m.t('notices.keyRetired', {
          key,
          successor: clip(notice.successorSuffix, 8),
          when: slackDate(notice.deleteAt),
        }),
      };
    case 'key_reassigned':
      return notice.role === 'new_owner'
        ? {
            text: m.t('notices.newOwner', {
              user: mention(notice.by),
              key,
              from: notice.from ? 'yes' : 'no',
              previous: notice.from ? mention(notice.from) : '',
            }),
          }
        : { text: m.t('notices.oldOwner', { user: mention(notice.by), key, to: mention(notice.to) }) };
  }
}

/** A thread reply under the approval message, one per decision or event, in the channel's words. */
export function threadNote(m: Messages, note: ThreadNote): { text: string } {
  switch (note.kind) {
    case 'approved':
      return {
        text: m.t('notices.approvedNote', { user: mention(note.by), given: note.given, needed: note.needed }),
      };
    case 'denied':
      return {
        text: note.reason?.trim()
          ? fitText(
              m.t('notices.deniedNote', {
                user: mention(note.by),
                reason: clip(note.reason, LIMIT.text - 40),
              }),
              LIMIT.text,
            )
          : m.t('notices.deniedNoteNoReason', { user: mention(note.by) }),
      };
    case 'expired':
      return { text: m.t('notices.expiredNote') };
    case 'key_created':
      return { text: m.t('notices.createdNote', { when: slackDate(note.at) }) };
    case 'claim_expired':
      return { text: m.t('notices.claimExpiredNote') };
  }
}

/**
 * An error shown to the person who acted. `message` is Keyhouse's own wording, already in their
 * words (it may hold channel links such as `<#C1>`), so it is not escaped; never pass user or
 * upstream text here unescaped. `reference` is the id under which the error was logged.
 */
export function errorNotice(m: Messages, message: string, reference?: string): EphemeralNotice {
  const text = reference
    ? m.t('notices.errorWithReference', { message, reference: escapeMrkdwn(clip(reference, 100)) })
    : `⚠️ ${message}`;
  return { text: fitText(text, LIMIT.text), response_type: 'ephemeral', replace_original: false };
}
