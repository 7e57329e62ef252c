/**
 * The Edit dialog of a key (product.md §1, "Key list"): rename, another role, another expiry.
 * Renaming and a shorter expiry apply at once; a longer expiry or another role is sent for
 * approval like a new key. As in the request modal, the Role select dispatches its change so the
 * handler can redraw the Expiry choices for the chosen role, and the Expiry block's id carries the
 * role so Slack drops a choice made for another role.
 *
 * Everything read back is untrusted: the workflow checks the viewer, the role and the expiry again.
 */
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { z } from 'zod';
import type { ExpiryChoice } from '../core/policy-model.js';
import { MAX_KEY_NAME_LENGTH, MAX_REASON_LENGTH, type PolicyRole } from '../core/policy-model.js';
import type { EditField, KeyEntry } from '../core/ports.js';
import { KEEP } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { clip, fitText, LIMIT, md, plain } from './format.js';
import { ACTION, BLOCK, CALLBACK } from './ids.js';
import { expiryChoiceText, keySummary, longestWords } from './phrases.js';
import { type Outcome, outcomeModal, workingModal } from './progress-modal.js';
import { readServiceChoice, type ServiceOffer, serviceBlocks } from './services.js';

// English until part A of issue #21 gives this view its reader's words (then `m` is a parameter).

/** Room left in `private_metadata` (3000) for whatever the handler wraps around the context. */
export const EDIT_CONTEXT_MAX = 2900;

/** Slack's limits on a static select and on a plain_text_input's `max_length`. */
const MAX_OPTIONS = 100;
const TEXT_INPUT_MAX = 3000;

export interface EditModalInput {
  entry: KeyEntry;
  /** Roles the viewer may request, in policy order. */
  roles: readonly PolicyRole[];
  /** The policy role the key was made with, when known; it is the "keep" choice, not offered again. */
  currentRoleId: string | null;
  /** The role chosen so far (after a Role change), or null to keep the current one. */
  selectedRoleId: string | null;
  /** Expiry options for the selected role (for the current role while keeping it). */
  expiryChoices: readonly ExpiryChoice[];
  /** Opaque to the view; goes into `private_metadata` verbatim. At most `EDIT_CONTEXT_MAX` characters. */
  context: string;
  /** What was submitted, shown again when the dialog comes back with errors. */
  draft?: { keyName: string; expiry: string; reason: string };
  /** Errors found only after ClickHouse answered, each shown under its field, already in the reader's words. */
  errors?: Partial<Record<EditField, string>>;
  /** For a role scoped to services: the services on offer, the key's own chosen (services.ts). */
  services?: ServiceOffer | null;
}

/** What a submitted Edit dialog holds, as untrusted strings. */
export interface EditModalValues {
  keyName: string;
  /** `keep` or a policy role id. */
  roleId: string;
  /** `keep` or a policy duration. */
  expiry: string;
  reason: string;
  context: string;
  /** The block to attach an error to, per field (`response_action: 'errors'` keys on block ids). */
  blockIds: { keyName: string; roleId: string; expiry: string; reason: string; serviceIds: string };
  /** The services chosen, when the dialog shows them (a role scoped to services). */
  serviceIds?: string[];
}

/** Renders the Edit dialog; call again with the chosen role to refresh the Expiry choices. */
export function editKeyModal(m: Messages, input: EditModalInput): ModalView {
  if (input.context.length > EDIT_CONTEXT_MAX) {
    // Cutting it would hand the submission handler a corrupt context; this is a caller's bug.
    throw new RangeError(
      `edit modal context is ${input.context.length} characters (at most ${EDIT_CONTEXT_MAX})`,
    );
  }
  const { entry } = input;
  const roles = input.roles.filter((r) => r.id !== input.currentRoleId).slice(0, MAX_OPTIONS - 1);
  // A selection that is not on offer (the current role, or one no longer open) reads as "keep".
  const selected = roles.find((r) => r.id === input.selectedRoleId) ?? null;
  const capRole = selected ?? input.roles.find((r) => r.id === input.currentRoleId) ?? null;
  const { draft, errors = {} } = input;

  const blocks: KnownBlock[] = [
    {
      type: 'context',
      elements: [
        md(
          fitText(`${m.t('edit.editing', { key: keySummary(m, entry) })}\n${m.t('edit.rules')}`, LIMIT.text),
        ),
      ],
    },
    nameBlock(m, entry.key.name, draft?.keyName),
    ...fieldError(BLOCK.editName, errors.keyName),
    roleBlock(m, roles, selected, entry.roleLabel),
    ...fieldError(BLOCK.editRole, errors.roleId),
    expiryBlock(m, selected, capRole, input.expiryChoices, draft?.expiry),
    ...fieldError(BLOCK.editExpiryPrefix, errors.expiry),
    ...serviceBlocks(m, input.services ?? null),
    ...fieldError(BLOCK.services, errors.serviceIds),
    {
      type: 'input',
      block_id: BLOCK.editReason,
      optional: true,
      label: plain(m.t('dialog.reason'), LIMIT.hint),
      hint: plain(m.t('edit.reasonHint'), LIMIT.hint),
      element: {
        type: 'plain_text_input',
        action_id: ACTION.editReason,
        multiline: true,
        max_length: MAX_REASON_LENGTH,
        ...(draft?.reason ? { initial_value: draft.reason.slice(0, MAX_REASON_LENGTH) } : {}),
      },
    },
    ...fieldError(BLOCK.editReason, errors.reason),
  ];
  return {
    type: 'modal',
    callback_id: CALLBACK.editModal,
    private_metadata: input.context,
    title: plain(m.t('edit.title'), 24),
    submit: plain(m.t('edit.save'), 24),
    close: plain(m.t('dialog.cancel'), 24),
    blocks,
  };
}

/**
 * An error under a field. Slack shows `response_action: "errors"` only in an acknowledgement; an
 * error found after ClickHouse answered comes back with the re-rendered dialog, as this line.
 */
function fieldError(blockId: string, message: string | undefined): KnownBlock[] {
  if (!message) return [];
  return [
    {
      type: 'context',
      block_id: `${blockId}${BLOCK.fieldErrorSuffix}`,
      elements: [md(fitText(`:warning: ${message}`, LIMIT.text))],
    },
  ];
}

/** The dialog while the change is applied (ClickHouse may take a while). */
export function editWorkingModal(m: Messages, keyName: string): ModalView {
  return workingModal(m, m.t('edit.title'), m.t('edit.working', { name: clip(keyName, 200) }));
}

/** The dialog while the key is looked up in ClickHouse, before the form can be shown. */
export function editLoadingModal(m: Messages): ModalView {
  return workingModal(m, m.t('edit.title'), m.t('dialog.lookingUp'));
}

/** The dialog's last state: what was changed or sent for approval, or why nothing was. */
export function editOutcomeModal(m: Messages, outcome: Outcome): ModalView {
  return outcomeModal(m, m.t('edit.title'), outcome);
}

function nameBlock(m: Messages, name: string, typed?: string): KnownBlock {
  const shown = typed ?? name;
  return {
    type: 'input',
    block_id: BLOCK.editName,
    label: plain(m.t('dialog.keyName'), LIMIT.hint),
    element: {
      type: 'plain_text_input',
      action_id: ACTION.editName,
      // A key named in the console may be longer than our own limit; its name must still fit, or
      // Slack refuses the view.
      max_length: Math.min(Math.max(MAX_KEY_NAME_LENGTH, name.length), TEXT_INPUT_MAX),
      ...(shown === '' ? {} : { initial_value: shown.slice(0, TEXT_INPUT_MAX) }),
    },
  };
}

function roleBlock(
  m: Messages,
  roles: readonly PolicyRole[],
  selected: PolicyRole | null,
  currentLabel: string,
): KnownBlock {
  const keep: PlainTextOption = {
    text: plain(m.t('edit.keepRole'), LIMIT.optionText),
    value: KEEP,
    // Says which role "keep" keeps; a description must not be empty.
    ...(currentLabel.trim() ? { description: plain(currentLabel, LIMIT.optionText) } : {}),
  };
  const options: PlainTextOption[] = [
    keep,
    ...roles.map((r) => ({ text: plain(r.label, LIMIT.optionText), value: r.id })),
  ];
  const initial = options.find((o) => o.value === selected?.id) ?? keep;
  return {
    type: 'input',
    block_id: BLOCK.editRole,
    // Sends a block_actions on change, so the Expiry choices follow the role before submission.
    dispatch_action: true,
    label: plain(m.t('dialog.role'), LIMIT.hint),
    element: {
      type: 'static_select',
      action_id: ACTION.editRole,
      placeholder: plain(m.t('dialog.chooseRole'), LIMIT.placeholder),
      options,
      initial_option: initial,
    },
  };
}

function expiryBlock(
  m: Messages,
  selected: PolicyRole | null,
  capRole: PolicyRole | null,
  choices: readonly ExpiryChoice[],
  picked?: string,
): KnownBlock {
  const keep: PlainTextOption = { text: plain(m.t('edit.keepExpiry'), LIMIT.optionText), value: KEEP };
  const options: PlainTextOption[] = [
    keep,
    ...choices
      .slice(0, MAX_OPTIONS - 1)
      .map((c) => ({ text: plain(expiryChoiceText(m, c), LIMIT.optionText), value: c.value })),
  ];
  let hint = m.t('dialog.fromChange');
  if (capRole) {
    hint += ` ${m.t('dialog.longestFor', { role: capRole.label, longest: longestWords(m, capRole.maxExpiryMs) })}`;
  }
  return {
    type: 'input',
    block_id: `${BLOCK.editExpiryPrefix}${selected?.id ?? KEEP}`,
    label: plain(m.t('dialog.expiry'), LIMIT.hint),
    hint: plain(hint, LIMIT.hint),
    element: {
      type: 'static_select',
      action_id: ACTION.editExpiry,
      options,
      initial_option: options.find((o) => o.value === picked) ?? keep,
    },
  };
}

const stateValue = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    // The Services multi-select (services.ts reads it again, strictly).
    selected_options: z.array(z.object({ value: z.string() })).optional(),
  })
  .catch({});

const submittedView = z.object({
  private_metadata: z.string().catch(''),
  state: z
    .object({ values: z.record(z.string(), z.record(z.string(), stateValue).catch({})) })
    .catch({ values: {} }),
});

type StateValues = z.infer<typeof submittedView>['state']['values'];

function readValue(values: StateValues, blockId: string | undefined, actionId: string): string {
  if (blockId === undefined) return '';
  const entry = values[blockId]?.[actionId];
  return entry?.value ?? entry?.selected_option?.value ?? '';
}

/**
 * The fields of a submitted Edit dialog (a `view_submission`'s `view`). Anything missing or
 * malformed reads as empty, Role and Expiry as `keep`; the workflow checks every value again.
 */
export function readEditModal(view: unknown): EditModalValues {
  const parsed = submittedView.safeParse(view);
  const values: StateValues = parsed.success ? parsed.data.state.values : {};
  const roleId = readValue(values, BLOCK.editRole, ACTION.editRole) || KEEP;
  // The Expiry block present: the one for the chosen role if Slack kept several.
  const expiryIds = Object.keys(values).filter((id) => id.startsWith(BLOCK.editExpiryPrefix));
  const expiryId = expiryIds.find((id) => id === `${BLOCK.editExpiryPrefix}${roleId}`) ?? expiryIds[0];
  return {
    keyName: readValue(values, BLOCK.editName, ACTION.editName),
    roleId,
    expiry: readValue(values, expiryId, ACTION.editExpiry) || KEEP,
    reason: readValue(values, BLOCK.editReason, ACTION.editReason),
    context: parsed.success ? parsed.data.private_metadata : '',
    blockIds: {
      keyName: BLOCK.editName,
      roleId: BLOCK.editRole,
      expiry: expiryId ?? BLOCK.editRole,
      reason: BLOCK.editReason,
      serviceIds: values[BLOCK.services] !== undefined ? BLOCK.services : BLOCK.editRole,
    },
    ...(values[BLOCK.services] !== undefined ? { serviceIds: readServiceChoice(values) } : {}),
  };
}
