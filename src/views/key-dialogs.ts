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
import { formatDuration } from '../core/duration.js';
import type { ExpiryChoice } from '../core/policy-model.js';
import { MAX_REASON_LENGTH, type PolicyRole } from '../core/policy-model.js';
import type { KeyEntry } from '../core/ports.js';
import { KEEP } from '../core/ports.js';
import { Catalog } from '../i18n/index.js';
import { clip, fitText, formatInstant, LIMIT, md, plain } from './format.js';
import { ACTION, BLOCK, CALLBACK } from './ids.js';
import { keyExpiryText, keyNameText, keySuffixText, ownerText } from './key-list.js';

// English until part A of issue #21 gives this view its reader's words (then `m` is a parameter).
const englishForNow = new Catalog().messages({ locale: 'en', timeZone: 'UTC' });

/** Slack's `private_metadata` limit. */
const METADATA_MAX = 3000;
const MAX_OPTIONS = 100;

function checkContext(what: string, context: string): void {
  // Cutting it would hand the submission handler a corrupt context; this is a caller's bug.
  if (context.length > METADATA_MAX) {
    throw new RangeError(`${what} context is ${context.length} characters (at most ${METADATA_MAX})`);
  }
}

function keyLine(entry: KeyEntry): string {
  const suffix = keySuffixText(entry.key.keySuffix);
  return [
    `${keyNameText(englishForNow, entry.key)}${suffix ? ` ${suffix}` : ''}`,
    `role ${clip(entry.roleLabel, 200)}`,
    keyExpiryText(englishForNow, entry, null),
    ownerText(englishForNow, entry),
  ].join(' · ');
}

function expiryOptions(choices: readonly ExpiryChoice[]): PlainTextOption[] {
  return choices
    .slice(0, MAX_OPTIONS)
    .map((c) => ({ text: plain(c.label, LIMIT.optionText), value: c.value }));
}

function reasonBlock(blockId: string, actionId: string, hint: string, optional: boolean): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional,
    label: plain('Reason', LIMIT.hint),
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
export function rotateKeyModal(input: RotateModalInput): ModalView {
  checkContext('rotate modal', input.context);
  const { entry, role } = input;
  const overlapOptions: PlainTextOption[] = input.overlaps.map((ms) => ({
    text: plain(formatDuration(ms), LIMIT.optionText),
    value: String(ms),
  }));
  const initialOverlap = overlapOptions.find((o) => o.value === String(input.defaultOverlapMs));
  // The old key's end first, and chosen to begin with: the rotation that needs no approval.
  const keep: PlainTextOption = {
    text: plain(
      input.envelope === 'never' ? 'Never, as now' : `Same end as now: ${formatInstant(input.envelope)}`,
      LIMIT.optionText,
    ),
    value: KEEP,
  };
  const expiry = [keep, ...expiryOptions(input.expiryChoices)].slice(0, MAX_OPTIONS);
  const approvals = `${role.approvals} approval${role.approvals === 1 ? '' : 's'}`;
  const approval = input.needsApproval
    ? role.approvals === 0
      ? `${role.label} needs no approval.`
      : `The successor is approved like a new key (${approvals}).`
    : role.approvals === 0
      ? 'As its owner, you rotate it without approval.'
      : 'As its owner, you rotate it without approval while the new key ends no later than the old one ' +
        `was approved for; a later end is approved like Extend (${approvals}).`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: md(
        fitText(
          `Rotating ${keyLine(entry)}\nThe new key keeps the name, role and IP access list, and is delivered ` +
            `by the usual *Create key* message, its secret shown once. When the overlap ends the old key is ` +
            `disabled; seven days later it is deleted. ${approval}`,
          LIMIT.text,
        ),
      ),
    },
    {
      type: 'input',
      block_id: BLOCK.rotateOverlap,
      label: plain('Overlap', LIMIT.hint),
      hint: plain('How long the old key keeps working once the new one exists.', LIMIT.hint),
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
      label: plain('Expiry', LIMIT.hint),
      hint: plain(
        `Of the new key, counted from when it is created, or the old key's end. Longest for ${role.label}: ${
          role.maxExpiryMs === null ? 'no limit' : formatDuration(role.maxExpiryMs)
        }.`,
        LIMIT.hint,
      ),
      element: {
        type: 'static_select',
        action_id: ACTION.rotateExpiry,
        placeholder: plain('Choose an expiry', LIMIT.placeholder),
        options: expiry,
        initial_option: keep,
      },
    },
  ];
  if (role.approvals > 0) {
    // Asked of everyone who may need approval; the owner needs it only for a later end.
    blocks.push(
      reasonBlock(
        BLOCK.rotateReason,
        ACTION.rotateReason,
        input.needsApproval ? 'For the approvers.' : 'For the approvers, if you choose a later end.',
        !input.needsApproval,
      ),
    );
  }
  return {
    type: 'modal',
    callback_id: CALLBACK.rotateModal,
    private_metadata: input.context,
    title: plain('Rotate key', 24),
    submit: plain('Rotate', 24),
    close: plain('Cancel', 24),
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
export function extendKeyModal(input: ExtendModalInput): ModalView {
  checkContext('extend modal', input.context);
  const { entry, role } = input;
  const approval =
    role.approvals === 0
      ? `${role.label} needs no approval: it applies at once.`
      : 'A longer expiry is approved like a new key, then applied.';
  return {
    type: 'modal',
    callback_id: CALLBACK.extendModal,
    private_metadata: input.context,
    title: plain('Extend key', 24),
    submit: plain('Extend', 24),
    close: plain('Cancel', 24),
    blocks: [
      { type: 'section', text: md(fitText(`Extending ${keyLine(entry)}\n${approval}`, LIMIT.text)) },
      {
        type: 'input',
        block_id: BLOCK.extendExpiry,
        label: plain('Expiry', LIMIT.hint),
        hint: plain('Counted from when the change is applied.', LIMIT.hint),
        element: {
          type: 'static_select',
          action_id: ACTION.extendExpiry,
          placeholder: plain('Choose an expiry', LIMIT.placeholder),
          options: expiryOptions(input.expiryChoices),
        },
      },
      reasonBlock(BLOCK.extendReason, ACTION.extendReason, 'For the approvers.', false),
    ],
  };
}

/** The Reassign dialog (admins): who owns the key from now on. */
export function reassignKeyModal(entry: KeyEntry, context: string): ModalView {
  checkContext('reassign modal', context);
  return {
    type: 'modal',
    callback_id: CALLBACK.reassignModal,
    private_metadata: context,
    title: plain('Reassign key', 24),
    submit: plain('Reassign', 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'section',
        text: md(
          fitText(
            `Give ${keyLine(entry)} another owner. They may then manage it and are told by DM; so is the owner until now.`,
            LIMIT.text,
          ),
        ),
      },
      {
        type: 'input',
        block_id: BLOCK.reassignUser,
        label: plain('New owner', LIMIT.hint),
        element: {
          type: 'users_select',
          action_id: ACTION.reassignUser,
          placeholder: plain('Choose a person', LIMIT.placeholder),
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
export function liftLeakModal(entry: KeyEntry, context: string): ModalView {
  checkContext('lift leak modal', context);
  return {
    type: 'modal',
    callback_id: CALLBACK.liftLeakModal,
    private_metadata: context,
    title: plain('Lift leak mark', 24),
    submit: plain('Lift mark', 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'section',
        text: md(
          fitText(
            `${keyLine(entry)} was disabled because its secret leaked. Lifting the mark lets its owner or an ` +
              'admin enable it again; it stays disabled until someone does. Rotating it is usually the better ' +
              'answer: its secret may still be in someone’s hands.',
            LIMIT.text,
          ),
        ),
      },
      reasonBlock(
        BLOCK.liftLeakReason,
        ACTION.liftLeakReason,
        'Why the leaked secret is no longer a risk. Kept in the audit log.',
        false,
      ),
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
