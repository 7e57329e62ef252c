/**
 * Delivery where a key is used (product.md §12), in words: the request modal's Deliver to, the
 * approval message's destination line, where a key lives in lists, and the messages that say a
 * key was written, or why it was not. No secret ever reaches these views: only places and names.
 */
import type { ActionsBlock, ContextBlock, InputBlock, KnownBlock, PlainTextOption } from '@slack/types';
import {
  type DeliveryNotice,
  type Place,
  placeOf,
  type RotationFailure,
  type ServiceSaid,
} from '../core/delivery-ports.js';
import type { Destination, PolicyRole } from '../core/policy-model.js';
import type { Messages } from '../i18n/index.js';
import { clip, fitText, LIMIT, md, plain, slackDate } from './format.js';
import { ACTION } from './ids.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** The Deliver to block's ids, and the option that means "the requester, shown once". */
export const DELIVER_TO = {
  block: 'deliver_to',
  action: 'keyhouse.deliver_to',
  requester: 'requester',
} as const;

/** The destinations `role` may deliver to, in the role's order; unknown ids are skipped. */
export function destinationsOf(role: PolicyRole | null, all: readonly Destination[]): Destination[] {
  const byId = new Map(all.map((d) => [d.id, d]));
  return (role?.destinations ?? []).flatMap((id) => byId.get(id) ?? []);
}

/** The request modal's Deliver to: the requester first (as today), then the role's destinations. Null without any. */
export function deliverToBlock(m: Messages, destinations: readonly Destination[]): InputBlock | null {
  if (destinations.length === 0) return null;
  const requester: PlainTextOption = {
    text: plain(m.t('delivery.toRequester'), LIMIT.optionText),
    value: DELIVER_TO.requester,
  };
  const options = [
    requester,
    ...destinations.map((d) => ({ text: plain(choiceText(m, d), LIMIT.optionText), value: d.id })),
  ];
  return {
    type: 'input',
    block_id: DELIVER_TO.block,
    label: plain(m.t('delivery.deliverToLabel'), LIMIT.hint),
    hint: plain(m.t('delivery.deliverToHint'), LIMIT.hint),
    element: { type: 'static_select', action_id: DELIVER_TO.action, options, initial_option: requester },
  };
}

function choiceText(m: Messages, destination: Destination): string {
  if (destination.type === 'vault-kv')
    return m.t('delivery.toVault', { path: `${destination.mount}/${destination.path}` });
  return destination.environment
    ? m.t('delivery.toGitHubEnvironment', {
        repository: destination.repository,
        environment: destination.environment,
      })
    : m.t('delivery.toGitHub', { repository: destination.repository });
}

/** Where a key is (or goes), as mrkdwn. */
export function placeWords(m: Messages, place: Place): string {
  if (place.kind === 'vault') return m.t('delivery.placeVault', { path: code(place.path) });
  const names = place.names.map(code).join(', ');
  const repository = code(place.repository);
  return place.environment
    ? m.t('delivery.placeGitHubEnvironment', { names, repository, environment: code(place.environment) })
    : m.t('delivery.placeGitHub', { names, repository });
}

function code(text: string): string {
  return `\`${clip(text.replaceAll('`', "'"), 420)}\``;
}

/** The approval message's line naming the destination (one context block). */
export function approvalDestinationBlock(m: Messages, place: Place): ContextBlock {
  return {
    type: 'context',
    elements: [md(fitText(m.t('delivery.approvalLine', { place: placeWords(m, place) }), LIMIT.text))],
  };
}

/** A key list's note of where a key lives. */
export function keyPlaceText(m: Messages, place: Place): string {
  return m.t('delivery.listPlace', { place: placeWords(m, place) });
}

/** The direct message saying where a key went, or why it did not (with Try again). */
export function deliveryMessage(m: Messages, notice: DeliveryNotice): { text: string; blocks: KnownBlock[] } {
  const keyName = `*${escapeMrkdwn(clip(notice.keyName, 200))}*`;
  const place = placeWords(m, notice.place);
  switch (notice.kind) {
    case 'delivered': {
      const text = m.t('delivery.deliveredText', { keyName, place });
      const expiry = notice.expireAt
        ? m.t('delivery.expiresAt', { date: slackDate(notice.expireAt) })
        : m.t('delivery.expiresNever');
      const detail = m.t('delivery.deliveredDetail', {
        suffix: notice.keySuffix,
        role: escapeMrkdwn(clip(notice.roleLabel, 100)),
        expiry,
      });
      return {
        text: fitText(text, LIMIT.text),
        blocks: [
          { type: 'section', text: md(fitText(text, LIMIT.text)) },
          { type: 'context', elements: [md(fitText(detail, LIMIT.text))] },
        ],
      };
    }
    case 'rotated': {
      const text = m.t('delivery.rotatedText', { keyName, place, suffix: notice.keySuffix });
      return {
        text: fitText(text, LIMIT.text),
        blocks: [{ type: 'section', text: md(fitText(text, LIMIT.text)) }],
      };
    }
    case 'failed': {
      const text = m.t('delivery.failedText', { keyName, place });
      const said = saidWords(m, notice.said);
      const next = m.t(notice.keyDeleted ? 'delivery.failedKeyDeleted' : 'delivery.failedKeyLeft');
      const retry: ActionsBlock = {
        type: 'actions',
        elements: [
          {
            type: 'button',
            // The Create key button's action: a destination's request is made again through the same path.
            action_id: ACTION.createKey,
            text: plain(m.t('delivery.tryAgain'), LIMIT.buttonText),
            value: notice.requestId,
          },
        ],
      };
      return {
        text: fitText(text, LIMIT.text),
        blocks: [
          { type: 'section', text: md(fitText(text, LIMIT.text)) },
          { type: 'section', text: md(fitText(said, LIMIT.text)) },
          { type: 'context', elements: [md(fitText(next, LIMIT.text))] },
          retry,
        ],
      };
    }
  }
}

/** The refusing service's own words, quoted, or the catalog's words for none. */
function saidWords(m: Messages, said: ServiceSaid | null): string {
  if (!said) return m.t('delivery.failedNoDetail');
  return m.t('delivery.failedDetail', { by: said.by, detail: escapeMrkdwn(clip(said.words, 1500)) });
}

/** The security channel's one message when a scheduled rotation could not write its successor. */
export function rotationFailedMessage(
  m: Messages,
  failure: RotationFailure,
): { text: string; blocks: KnownBlock[] } {
  const text = m.t('delivery.rotationFailed', {
    keyName: `*${escapeMrkdwn(clip(failure.keyName, 200))}*`,
    suffix: failure.keySuffix,
    place: placeWords(m, failure.place),
    said: saidWords(m, failure.said),
  });
  return {
    text: fitText(text, LIMIT.text),
    blocks: [{ type: 'section', text: md(fitText(text, LIMIT.text)) }],
  };
}

/** A destination's place, for views given the policy's destination and the key it holds. */
export { placeOf };
