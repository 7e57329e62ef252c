/**
 * The Delete dialog of a key. Slack's `confirm` object covers a whole overflow menu, not one of
 * its options, so Delete is confirmed here instead (product.md §1 asks for a confirmation). It
 * carries only the handler's opaque context; the submission re-checks the viewer and the key.
 */
import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import type { KeyEntry } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { clip, fitText, LIMIT, md, plain } from './format.js';
import { CALLBACK } from './ids.js';
import { keyNameText, keySuffixText } from './key-list.js';
import { mention } from './mrkdwn.js';

// English until part A of issue #21 gives this view its reader's words (then `m` is a parameter).

/** Slack's `private_metadata` limit. */
const METADATA_MAX = 3000;

/** Renders the confirmation for deleting one key; `context` goes into `private_metadata` verbatim. */
export function deleteKeyModal(m: Messages, entry: KeyEntry, context: string): ModalView {
  if (context.length > METADATA_MAX) {
    // Cutting it would hand the submission handler a corrupt context; this is a caller's bug.
    throw new RangeError(`delete modal context is ${context.length} characters (at most ${METADATA_MAX})`);
  }
  const { key } = entry;
  const suffix = keySuffixText(key.keySuffix);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: md(
        fitText(
          m.t('keyDialogs.deleteAsk', { key: `${keyNameText(m, key)}${suffix ? ` (${suffix})` : ''}` }),
          LIMIT.text,
        ),
      ),
    },
    {
      type: 'context',
      elements: [
        md(
          fitText(
            [
              m.t('spans.keyRole', { role: clip(entry.roleLabel, 200) }),
              m.t('spans.keyState', { state: key.state === 'enabled' ? 'enabled' : 'disabled' }),
              entry.ownerId
                ? m.t('spans.keyOwner', { owner: mention(entry.ownerId) })
                : m.t('spans.keyOutside'),
            ].join(' · '),
            LIMIT.text,
          ),
        ),
      ],
    },
  ];
  return {
    type: 'modal',
    callback_id: CALLBACK.deleteModal,
    private_metadata: context,
    title: plain(m.t('keyDialogs.deleteTitle'), 24),
    submit: plain(m.t('keyDialogs.deleteSubmit'), 24),
    close: plain(m.t('dialog.cancel'), 24),
    blocks,
  };
}

const submittedView = z.object({ private_metadata: z.string().catch('') });

/** The context of a submitted Delete dialog; empty when missing or malformed (the handler refuses it). */
export function readDeleteModal(view: unknown): { context: string } {
  const parsed = submittedView.safeParse(view);
  return { context: parsed.success ? parsed.data.private_metadata : '' };
}
