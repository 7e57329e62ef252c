/**
 * The request modal (product.md §1): Key name, Role, Expiry, Reason, IP access list. The Role
 * select dispatches its change at once, so the handler can `views.update` the Expiry choices to
 * the chosen role's cap; until a role is chosen, the Expiry field is replaced by a line asking for
 * one, because choices shown for a role the user has not picked would be misleading.
 */
import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { z } from 'zod';
import type { Place } from '../core/delivery-ports.js';
import type { IpAccessEntry, KeyRequest } from '../core/model.js';
import type { Destination, ExpiryChoice, PolicyRole } from '../core/policy-model.js';
import type { DraftField, RequestDraft } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { accessModalBlocks, type ModalAccess, readBreakGlass } from './access.js';
import { DELIVER_TO, deliverToBlock, placeWords } from './delivery.js';
import { clip, LIMIT, md, plain } from './format.js';
import { ACTION, BLOCK, CALLBACK, expiryBlockId } from './ids.js';
import { keyNameHint, keyNameMaxLength } from './key-name-rule.js';
import { expiryChoiceText, longestWords } from './phrases.js';
import { type Outcome, outcomeModal, workingModal } from './progress-modal.js';
import { readServiceChoice, type ServiceOffer, serviceBlocks } from './services.js';

export interface RequestModalInput {
  /** The roles this user may request, in policy order. */
  roles: readonly PolicyRole[];
  /** The role chosen so far (after a Role change), or null on first open. */
  selectedRoleId: string | null;
  /** The chosen role's expiry options; ignored while no role is chosen. */
  expiryChoices: readonly ExpiryChoice[];
  reasonRequired: boolean;
  reasonMinLength: number;
  reasonMaxLength: number;
  defaultIpAccessList: readonly IpAccessEntry[];
  /** The policy's key-name rule (`keyName`), stated under the field (issue #20 item 2). */
  keyName: { pattern: string; hint: string | null };
  /** The chosen role's destinations (product.md §12): Deliver to is offered when there are any. */
  destinations?: readonly Destination[];
  /** For a chosen role scoped to services: the services it offers (services.ts). */
  services?: ServiceOffer | null;
  /** On call and break glass for the chosen role, in the reader's words (views/access.ts). */
  access?: { m: Messages; modal: ModalAccess | null };
}

/** `view.state.values` as Slack sends it (Bolt's `ViewOutput['state']['values']` fits this shape). */
export type ViewStateValues = Record<
  string,
  Record<string, { type?: string; value?: string | null; selected_option?: { value?: string } | null }>
>;

/** Slack's limit on a plain_text_input's `max_length`. */
const TEXT_INPUT_MAX = 3000;
const MAX_OPTIONS = 100;

/** Renders the request modal; call again with the chosen role to refresh the Expiry choices. */
export function requestModal(m: Messages, input: RequestModalInput): ModalView {
  const selected = input.roles.find((r) => r.id === input.selectedRoleId) ?? null;
  const blocks: KnownBlock[] = [
    // With Deliver to offered, the intro says what choosing a destination changes.
    {
      type: 'context',
      elements: [md(m.t(input.destinations?.length ? 'request.introDelivery' : 'request.intro'))],
    },
    keyNameBlock(m, input.keyName),
    ...roleBlocks(m, input.roles, selected),
    ...expiryBlocks(m, selected, input.expiryChoices),
    ...serviceBlocks(m, input.services ?? null),
    ...(input.access ? accessModalBlocks(input.access.m, input.access.modal) : []),
    reasonBlock(m, input),
    ipListBlock(m, input.defaultIpAccessList),
    ...[deliverToBlock(m, input.destinations ?? [])].filter((block) => block !== null),
  ];
  return {
    type: 'modal',
    callback_id: CALLBACK.requestModal,
    title: plain(m.t('request.title'), 24),
    submit: plain(m.t('request.submit'), 24),
    close: plain(m.t('dialog.cancel'), 24),
    blocks,
  };
}

function keyNameBlock(m: Messages, rule: RequestModalInput['keyName']): InputBlock {
  return {
    type: 'input',
    block_id: BLOCK.keyName,
    label: plain(m.t('dialog.keyName'), LIMIT.hint),
    // The policy's own rule, so nobody learns it from a failed try.
    hint: plain(keyNameHint(m, rule), LIMIT.hint),
    element: {
      type: 'plain_text_input',
      action_id: ACTION.keyNameInput,
      max_length: keyNameMaxLength(rule.pattern),
      placeholder: plain(m.t('request.keyNamePlaceholder'), LIMIT.placeholder),
    },
  };
}

function roleOption(m: Messages, role: PolicyRole): PlainTextOption {
  const limit =
    role.maxExpiryMs === null
      ? m.t('request.roleNoLimit')
      : m.t('request.roleUpTo', { longest: longestWords(m, role.maxExpiryMs) });
  const approvals = m.t('request.approvals', { n: role.approvals });
  return {
    text: plain(role.label, LIMIT.optionText),
    value: role.id,
    description: plain(`${limit} · ${approvals}`, LIMIT.optionText),
  };
}

function roleBlocks(m: Messages, roles: readonly PolicyRole[], selected: PolicyRole | null): KnownBlock[] {
  if (roles.length === 0) {
    // A static select needs at least one option; the command refuses such users before opening,
    // so this only shows if the policy changed in between.
    return [{ type: 'section', block_id: BLOCK.role, text: md(m.t('request.noRole')) }];
  }
  const options = roles.slice(0, MAX_OPTIONS).map((role) => roleOption(m, role));
  const initial = selected ? options.find((o) => o.value === selected.id) : undefined;
  return [
    {
      type: 'input',
      block_id: BLOCK.role,
      // Sends a block_actions on change, so the Expiry choices follow the role before submission.
      dispatch_action: true,
      label: plain(m.t('dialog.role'), LIMIT.hint),
      element: {
        type: 'static_select',
        action_id: ACTION.roleSelect,
        placeholder: plain(m.t('dialog.chooseRole'), LIMIT.placeholder),
        options,
        ...(initial ? { initial_option: initial } : {}),
      },
    },
  ];
}

function expiryBlocks(m: Messages, role: PolicyRole | null, choices: readonly ExpiryChoice[]): KnownBlock[] {
  if (!role) return [{ type: 'context', elements: [md(m.t('request.expiryChooseRole'))] }];
  if (choices.length === 0) return [{ type: 'context', elements: [md(m.t('request.expiryNone'))] }];
  return [
    {
      type: 'input',
      block_id: expiryBlockId(role.id),
      label: plain(m.t('dialog.expiry'), LIMIT.hint),
      hint: plain(
        m.t('request.expiryHint', { role: role.label, longest: longestWords(m, role.maxExpiryMs) }),
        LIMIT.hint,
      ),
      element: {
        type: 'static_select',
        action_id: ACTION.expirySelect,
        placeholder: plain(m.t('request.expiryPlaceholder'), LIMIT.placeholder),
        options: choices.slice(0, MAX_OPTIONS).map((c) => ({
          text: plain(expiryChoiceText(m, c), LIMIT.optionText),
          value: c.value,
        })),
      },
    },
  ];
}

function reasonBlock(m: Messages, input: RequestModalInput): InputBlock {
  const max = Math.min(Math.max(input.reasonMaxLength, 1), TEXT_INPUT_MAX);
  return {
    type: 'input',
    block_id: BLOCK.reason,
    optional: !input.reasonRequired,
    label: plain(m.t('dialog.reason'), LIMIT.hint),
    hint: plain(m.t('request.reasonHint', { min: Math.max(0, input.reasonMinLength) }), LIMIT.hint),
    element: {
      type: 'plain_text_input',
      action_id: ACTION.reasonInput,
      multiline: true,
      max_length: max,
    },
  };
}

function ipListBlock(m: Messages, defaults: readonly IpAccessEntry[]): InputBlock {
  const fallback =
    defaults.length === 0
      ? m.t('request.ipPolicyDefault')
      : defaults.map((e) => (e.description ? `${e.source} (${e.description})` : e.source)).join(', ');
  return {
    type: 'input',
    block_id: BLOCK.ipList,
    optional: true,
    label: plain(m.t('request.ipLabel'), LIMIT.hint),
    // plain_text shows markup as typed: the format is said in words, not in backticks.
    hint: plain(m.t('request.ipHint', { fallback }), LIMIT.hint),
    element: {
      type: 'plain_text_input',
      action_id: ACTION.ipListInput,
      multiline: true,
      placeholder: plain(m.t('request.ipPlaceholder'), LIMIT.placeholder),
    },
  };
}

const stateValue = z.object({
  value: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
});

function readValue(state: ViewStateValues, blockId: string | undefined, actionId: string): string {
  if (blockId === undefined) return '';
  const parsed = stateValue.safeParse(state[blockId]?.[actionId]);
  if (!parsed.success) return '';
  return parsed.data.value ?? parsed.data.selected_option?.value ?? '';
}

/** The Expiry block present in the state: the one for the chosen role if there are several. */
function expiryBlockIn(state: ViewStateValues, roleId: string): string | undefined {
  const ids = Object.keys(state).filter((id) => id.startsWith(BLOCK.expiryPrefix));
  return ids.find((id) => id === expiryBlockId(roleId)) ?? ids[0];
}

/**
 * What the modal holds, as untrusted strings (empty when absent); the workflow checks every
 * rule again.
 */
export function readRequestModal(state: ViewStateValues): RequestDraft {
  const roleId = readValue(state, BLOCK.role, ACTION.roleSelect);
  return {
    keyName: readValue(state, BLOCK.keyName, ACTION.keyNameInput),
    roleId,
    expiry: readValue(state, expiryBlockIn(state, roleId), ACTION.expirySelect),
    reason: readValue(state, BLOCK.reason, ACTION.reasonInput),
    ipAccessList: readValue(state, BLOCK.ipList, ACTION.ipListInput),
    // Deliver to is there only for a role with destinations (product.md §12).
    ...(state[DELIVER_TO.block]
      ? { destinationId: readValue(state, DELIVER_TO.block, DELIVER_TO.action) }
      : {}),
    ...(state[BLOCK.services] !== undefined ? { serviceIds: readServiceChoice(state) } : {}),
    // Only when ticked, so a draft without the box reads as before.
    ...(readBreakGlass(state) ? { breakGlass: true } : {}),
  };
}

/**
 * The input block that shows each draft field's error (`response_action: 'errors'` keys on
 * block ids). An expiry error lands on the Role block when no Expiry block is shown yet.
 */
export function requestModalBlockIds(
  state: ViewStateValues,
): Record<Exclude<DraftField, 'destinationId'>, string> & { destinationId?: string } {
  const roleId = readValue(state, BLOCK.role, ACTION.roleSelect);
  return {
    keyName: BLOCK.keyName,
    roleId: BLOCK.role,
    expiry: expiryBlockIn(state, roleId) ?? BLOCK.role,
    reason: BLOCK.reason,
    ipAccessList: BLOCK.ipList,
    ...(state[DELIVER_TO.block] ? { destinationId: DELIVER_TO.block } : {}),
    // Shown only for a role scoped to services; otherwise its error lands on the Role block.
    serviceIds: state[BLOCK.services] !== undefined ? BLOCK.services : BLOCK.role,
  };
}

/** Field errors from the workflow, keyed by the block ids of this view (errors on one block are joined). */
export function requestModalErrors(
  errors: Partial<Record<DraftField, string>>,
  state: ViewStateValues,
): Record<string, string> {
  const ids = requestModalBlockIds(state);
  const out: Record<string, string> = {};
  for (const [fieldName, message] of Object.entries(errors) as [DraftField, string | undefined][]) {
    if (!message) continue;
    // A Deliver to error without its block (the role changed under it) lands on the Role block.
    const blockId = ids[fieldName] ?? BLOCK.role;
    out[blockId] = out[blockId] ? `${out[blockId]} ${message}` : message;
  }
  return out;
}

/** The modal while the roles this user may request are looked up (Slack user groups). */
export function requestCheckingModal(m: Messages): ModalView {
  return workingModal(m, m.t('request.title'), m.t('request.checking'));
}

/** The modal after submission while Keyhouse checks the role and records the request. */
export function requestWorkingModal(m: Messages, keyName: string): ModalView {
  return workingModal(m, m.t('request.title'), m.t('request.working', { name: clip(keyName, 200) }));
}

/** The modal's last state: where the request went, or why nothing was saved. */
export function requestOutcomeModal(m: Messages, outcome: Outcome): ModalView {
  return outcomeModal(m, m.t('request.title'), outcome);
}

/**
 * A recorded request's answer (issue #20 item 1), on the fast path as on the slow one: where it
 * went and what comes next, so nobody sends it twice.
 */
export function requestSentModal(
  m: Messages,
  request: KeyRequest,
  approvalChannel: string,
  place: Place | null = null,
): ModalView {
  const name = clip(request.keyName, 200);
  const channel = `<#${approvalChannel.replace(/[^A-Z0-9]/gi, '')}>`;
  const where = place ? { place: placeWords(m, place) } : null;
  const text =
    request.state === 'pending'
      ? where
        ? m.t('request.sentForApprovalDelivered', {
            name,
            channel,
            approvals: request.approvalsRequired,
            ...where,
          })
        : m.t('request.sentForApproval', { name, channel, approvals: request.approvalsRequired })
      : where
        ? m.t('request.sentNoApprovalDelivered', { name, ...where })
        : m.t('request.sentNoApproval', { name });
  return requestOutcomeModal(m, { ok: true, text });
}
