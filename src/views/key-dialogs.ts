/**
 * The dialogs of a key's later life (product.md §8): Rotate (overlap and expiry of the successor),
 * Extend (a longer expiry, approved like Edit's), Reassign (admins give the key another owner),
 * and the outcome a dialog turns into once the work after the acknowledgement is done.
 *
 * Each carries only the handler's opaque context in `private_metadata`; everything read back is
 * untrusted and checked again by the workflow.
 */
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { z } from 'zod';
import type { ExpiryChoice } from '../core/policy-model.js';
import { MAX_REASON_LENGTH, type PolicyRole } from '../core/policy-model.js';
import type { KeyEntry } from '../core/ports.js';
import { KEEP } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { placeWords } from './delivery.js';
import { fitText, LIMIT, md, plain } from './format.js';
import { ACTION, BLOCK, CALLBACK } from './ids.js';
import { durationWords, expiryChoiceText, instantPlain, keySummary, longestWords } from './phrases.js';

// English until part A of issue #21 gives this view its reader's words (then `m` is a parameter).

/** Slack's `private_metadata` limit. */
const METADATA_MAX = 3000;
const MAX_OPTIONS = 100;

function checkContext(what: string, context: string): void {
  // Cutting it would hand the submission handler a corrupt context; this is a caller's bug.
  if (context.length > METADATA_MAX) {
    throw new RangeError(`${what} context is ${context.length} characters (at most ${METADATA_MAX})`);
  }
}

function expiryOptions(m: Messages, choices: readonly ExpiryChoice[]): PlainTextOption[] {
  return choices
    .slice(0, MAX_OPTIONS)
    .map((c) => ({ text: plain(expiryChoiceText(m, c), LIMIT.optionText), value: c.value }));
}

function reasonBlock(
  m: Messages,
  blockId: string,
  actionId: string,
  hint: string,
  optional: boolean,
): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional,
    label: plain(m.t('dialog.reason'), LIMIT.hint),
    hint: plain(hint, LIMIT.hint),
    element: {
      type: 'plain_text_input',
      action_id: actionId,
      multiline: true,
      max_length: MAX_REASON_LENGTH,
    },
  };
}

export interface RotateModalInput {
  entry: KeyEntry;
  role: PolicyRole;
  expiryChoices: readonly ExpiryChoice[];
  /** Overlaps on offer, in ms, and the one chosen to begin with. */
  overlaps: readonly number[];
  defaultOverlapMs: number;
  needsApproval: boolean;
  /** The end of what the old key was approved for: the owner's successor ending by then needs no approval. */
  envelope: Date | 'never';
  context: string;
}

/** The Rotate dialog: Overlap and Expiry of the successor, and a reason when it needs approval. */
export function rotateKeyModal(m: Messages, input: RotateModalInput): ModalView {
  checkContext('rotate modal', input.context);
  const { entry, role } = input;
  const overlapOptions: PlainTextOption[] = input.overlaps.map((ms) => ({
    text: plain(durationWords(m, ms), LIMIT.optionText),
    value: String(ms),
  }));
  const initialOverlap = overlapOptions.find((o) => o.value === String(input.defaultOverlapMs));
  // The old key's end first, and chosen to begin with: the rotation that needs no approval.
  const keep: PlainTextOption = {
    // plain_text holds no date token: the instant is written in the reader's zone.
    text: plain(
      input.envelope === 'never'
        ? m.t('keyDialogs.keepNever')
        : m.t('keyDialogs.keepSameEnd', { at: instantPlain(m, input.envelope) }),
      LIMIT.optionText,
    ),
    value: KEEP,
  };
  const expiry = [keep, ...expiryOptions(m, input.expiryChoices)].slice(0, MAX_OPTIONS);
  const n = role.approvals;
  const approval = input.needsApproval
    ? n === 0
      ? m.t('keyDialogs.roleNeedsNoApproval', { role: role.label })
      : m.t('keyDialogs.rotateLikeNew', { n })
    : n === 0
      ? m.t('keyDialogs.rotateOwnerFree')
      : m.t('keyDialogs.rotateOwnerBounded', { n });
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: md(
        fitText(
          entry.destination
            ? m.t('keyDialogs.rotateIntroDelivered', {
                key: keySummary(m, entry),
                place: placeWords(m, entry.destination),
                approval,
              })
            : m.t('keyDialogs.rotateIntro', { key: keySummary(m, entry), approval }),
          LIMIT.text,
        ),
      ),
    },
    {
      type: 'input',
      block_id: BLOCK.rotateOverlap,
      label: plain(m.t('keyDialogs.overlap'), LIMIT.hint),
      hint: plain(m.t('keyDialogs.overlapHint'), LIMIT.hint),
      element: {
        type: 'static_select',
        action_id: ACTION.rotateOverlap,
        options: overlapOptions,
        ...(initialOverlap ? { initial_option: initialOverlap } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK.rotateExpiry,
      label: plain(m.t('dialog.expiry'), LIMIT.hint),
      hint: plain(
        m.t('keyDialogs.rotateExpiryHint', { role: role.label, longest: longestWords(m, role.maxExpiryMs) }),
        LIMIT.hint,
      ),
      element: {
        type: 'static_select',
        action_id: ACTION.rotateExpiry,
        placeholder: plain(m.t('dialog.chooseExpiry'), LIMIT.placeholder),
        options: expiry,
        initial_option: keep,
      },
    },
  ];
  if (role.approvals > 0) {
    // Asked of everyone who may need approval; the owner needs it only for a later end.
    blocks.push(
      reasonBlock(
        m,
        BLOCK.rotateReason,
        ACTION.rotateReason,
        input.needsApproval ? m.t('dialog.forApprovers') : m.t('keyDialogs.reasonLaterEnd'),
        !input.needsApproval,
      ),
    );
  }
  return {
    type: 'modal',
    callback_id: CALLBACK.rotateModal,
    private_metadata: input.context,
    title: plain(m.t('keyDialogs.rotateTitle'), 24),
    submit: plain(m.t('keyDialogs.rotateSubmit'), 24),
    close: plain(m.t('dialog.cancel'), 24),
    blocks,
  };
}

export interface ExtendModalInput {
  entry: KeyEntry;
  role: PolicyRole;
  expiryChoices: readonly ExpiryChoice[];
  context: string;
}

/** The Extend dialog: a new expiry from the role's choices, counted from now, and the reason. */
export function extendKeyModal(m: Messages, input: ExtendModalInput): ModalView {
  checkContext('extend modal', input.context);
  const { entry, role } = input;
  const approval =
    role.approvals === 0
      ? m.t('keyDialogs.extendNoApproval', { role: role.label })
      : m.t('keyDialogs.extendApproval');
  return {
    type: 'modal',
    callback_id: CALLBACK.extendModal,
    private_metadata: input.context,
    title: plain(m.t('keyDialogs.extendTitle'), 24),
    submit: plain(m.t('keyDialogs.extendSubmit'), 24),
    close: plain(m.t('dialog.cancel'), 24),
    blocks: [
      {
        type: 'section',
        text: md(fitText(m.t('keyDialogs.extendIntro', { key: keySummary(m, entry), approval }), LIMIT.text)),
      },
      {
        type: 'input',
        block_id: BLOCK.extendExpiry,
        label: plain(m.t('dialog.expiry'), LIMIT.hint),
        hint: plain(m.t('dialog.fromChange'), LIMIT.hint),
        element: {
          type: 'static_select',
          action_id: ACTION.extendExpiry,
          placeholder: plain(m.t('dialog.chooseExpiry'), LIMIT.placeholder),
          options: expiryOptions(m, input.expiryChoices),
        },
      },
      reasonBlock(m, BLOCK.extendReason, ACTION.extendReason, m.t('dialog.forApprovers'), false),
    ],
  };
}

/** The Reassign dialog (admins): who owns the key from now on. */
export function reassignKeyModal(m: Messages, entry: KeyEntry, context: string): ModalView {
  checkContext('reassign modal', context);
  return {
    type: 'modal',
    callback_id: CALLBACK.reassignModal,
    private_metadata: context,
    title: plain(m.t('keyDialogs.reassignTitle'), 24),
    submit: plain(m.t('keyDialogs.reassignSubmit'), 24),
    close: plain(m.t('dialog.cancel'), 24),
    blocks: [
      {
        type: 'section',
        text: md(fitText(m.t('keyDialogs.reassignIntro', { key: keySummary(m, entry) }), LIMIT.text)),
      },
      {
        type: 'input',
        block_id: BLOCK.reassignUser,
        label: plain(m.t('keyDialogs.newOwner'), LIMIT.hint),
        element: {
          type: 'users_select',
          action_id: ACTION.reassignUser,
          placeholder: plain(m.t('keyDialogs.choosePerson'), LIMIT.placeholder),
          ...(entry.ownerId ? { initial_user: entry.ownerId } : {}),
        },
      },
    ],
  };
}

/**
 * Lift leak mark (admins): the key was disabled because its secret leaked, and stays disabled
 * until an admin lifts the mark, saying why (audited). It is not enabled by lifting the mark.
 */
export function liftLeakModal(m: Messages, entry: KeyEntry, context: string): ModalView {
  checkContext('lift leak modal', context);
  return {
    type: 'modal',
    callback_id: CALLBACK.liftLeakModal,
    private_metadata: context,
    title: plain(m.t('keyDialogs.liftTitle'), 24),
    submit: plain(m.t('keyDialogs.liftSubmit'), 24),
    close: plain(m.t('dialog.cancel'), 24),
    blocks: [
      {
        type: 'section',
        text: md(fitText(m.t('keyDialogs.liftIntro', { key: keySummary(m, entry) }), LIMIT.text)),
      },
      reasonBlock(m, BLOCK.liftLeakReason, ACTION.liftLeakReason, m.t('keyDialogs.liftReasonHint'), false),
    ],
  };
}

const stateValue = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_user: z.string().nullish(),
  })
  .catch({});

const submittedView = z.object({
  id: z.string().catch(''),
  private_metadata: z.string().catch(''),
  state: z
    .object({ values: z.record(z.string(), z.record(z.string(), stateValue).catch({})) })
    .catch({ values: {} }),
});

export interface LifecycleModalValues {
  /** The view's id, for `views.update` once the work is done. */
  viewId: string;
  context: string;
  /** Fields by action id, as untrusted strings ('' when absent). */
  read(blockId: string, actionId: string): string;
}

/** Reads a submitted Rotate, Extend or Reassign dialog; anything missing reads as ''. */
export function readLifecycleModal(view: unknown): LifecycleModalValues {
  const parsed = submittedView.safeParse(view);
  const values = parsed.success ? parsed.data.state.values : {};
  return {
    viewId: parsed.success ? parsed.data.id : '',
    context: parsed.success ? parsed.data.private_metadata : '',
    read(blockId, actionId) {
      const entry = values[blockId]?.[actionId];
      return entry?.value ?? entry?.selected_option?.value ?? entry?.selected_user ?? '';
    },
  };
}
