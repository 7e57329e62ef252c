/**
 * The request modal (product.md §1): Key name, Role, Expiry, Reason, IP access list. The Role
 * select dispatches its change at once, so the handler can `views.update` the Expiry choices to
 * the chosen role's cap; until a role is chosen, the Expiry field is replaced by a line asking for
 * one, because choices shown for a role the user has not picked would be misleading.
 */
import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { z } from 'zod';
import { formatDuration } from '../core/duration.js';
import type { IpAccessEntry, KeyRequest } from '../core/model.js';
import type { ExpiryChoice, PolicyRole } from '../core/policy-model.js';
import type { DraftField, RequestDraft } from '../core/ports.js';
import { clip, LIMIT, md, plain, plural } from './format.js';
import { ACTION, BLOCK, CALLBACK, expiryBlockId } from './ids.js';
import { type Outcome, outcomeModal, workingModal } from './progress-modal.js';
import { readServiceChoice, type ServiceOffer, serviceBlocks, UNCONVERTED_WORDS } from './services.js';

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
  /** How the policy wants key names written, shown under the field. */
  keyNamePatternHint?: string;
  /** For a chosen role scoped to services: the services it offers (services.ts). */
  services?: ServiceOffer | null;
}

/** `view.state.values` as Slack sends it (Bolt's `ViewOutput['state']['values']` fits this shape). */
export type ViewStateValues = Record<
  string,
  Record<string, { type?: string; value?: string | null; selected_option?: { value?: string } | null }>
>;

const KEY_NAME_MAX = 64;
/** Slack's limit on a plain_text_input's `max_length`. */
const TEXT_INPUT_MAX = 3000;
const MAX_OPTIONS = 100;

/** Renders the request modal; call again with the chosen role to refresh the Expiry choices. */
export function requestModal(input: RequestModalInput): ModalView {
  const selected = input.roles.find((r) => r.id === input.selectedRoleId) ?? null;
  const blocks: KnownBlock[] = [
    {
      type: 'context',
      elements: [
        md(
          'After approval you get a *Create key* button; the key is made when you click it, ' +
            'and its secret is shown to you once.',
        ),
      ],
    },
    keyNameBlock(input.keyNamePatternHint),
    ...roleBlocks(input.roles, selected),
    ...expiryBlocks(selected, input.expiryChoices),
    ...serviceBlocks(UNCONVERTED_WORDS, input.services ?? null),
    reasonBlock(input),
    ipListBlock(input.defaultIpAccessList),
  ];
  return {
    type: 'modal',
    callback_id: CALLBACK.requestModal,
    title: plain('Request an API key', 24),
    submit: plain('Request', 24),
    close: plain('Cancel', 24),
    blocks,
  };
}

function keyNameBlock(patternHint: string | undefined): InputBlock {
  return {
    type: 'input',
    block_id: BLOCK.keyName,
    label: plain('Key name', LIMIT.hint),
    hint: plain(patternHint ?? 'Up to 64 characters; it identifies the key in ClickHouse Cloud.', LIMIT.hint),
    element: {
      type: 'plain_text_input',
      action_id: ACTION.keyNameInput,
      max_length: KEY_NAME_MAX,
      placeholder: plain('e.g. etl-nightly', LIMIT.placeholder),
    },
  };
}

function roleOption(role: PolicyRole): PlainTextOption {
  const limit = role.maxExpiryMs === null ? 'no expiry limit' : `up to ${formatDuration(role.maxExpiryMs)}`;
  const approvals = role.approvals === 0 ? 'no approval needed' : plural(role.approvals, 'approval');
  return {
    text: plain(role.label, LIMIT.optionText),
    value: role.id,
    description: plain(`${limit} · ${approvals}`, LIMIT.optionText),
  };
}

function roleBlocks(roles: readonly PolicyRole[], selected: PolicyRole | null): KnownBlock[] {
  if (roles.length === 0) {
    // A static select needs at least one option; the command refuses such users before opening,
    // so this only shows if the policy changed in between.
    return [{ type: 'section', block_id: BLOCK.role, text: md('*Role*\nNo role is open to you any more.') }];
  }
  const options = roles.slice(0, MAX_OPTIONS).map(roleOption);
  const initial = selected ? options.find((o) => o.value === selected.id) : undefined;
  return [
    {
      type: 'input',
      block_id: BLOCK.role,
      // Sends a block_actions on change, so the Expiry choices follow the role before submission.
      dispatch_action: true,
      label: plain('Role', LIMIT.hint),
      element: {
        type: 'static_select',
        action_id: ACTION.roleSelect,
        placeholder: plain('Choose a role', LIMIT.placeholder),
        options,
        ...(initial ? { initial_option: initial } : {}),
      },
    },
  ];
}

function expiryBlocks(role: PolicyRole | null, choices: readonly ExpiryChoice[]): KnownBlock[] {
  if (!role) {
    return [{ type: 'context', elements: [md('*Expiry*: choose a role first; the choices depend on it.')] }];
  }
  if (choices.length === 0) {
    return [
      { type: 'context', elements: [md('*Expiry*: this role offers no expiry; ask a Keyhouse admin.')] },
    ];
  }
  const longest = role.maxExpiryMs === null ? 'no limit' : formatDuration(role.maxExpiryMs);
  return [
    {
      type: 'input',
      block_id: expiryBlockId(role.id),
      label: plain('Expiry', LIMIT.hint),
      hint: plain(`Counted from when the key is created. Longest for ${role.label}: ${longest}.`, LIMIT.hint),
      element: {
        type: 'static_select',
        action_id: ACTION.expirySelect,
        placeholder: plain('How long the key works', LIMIT.placeholder),
        options: choices.slice(0, MAX_OPTIONS).map((c) => ({
          text: plain(c.label, LIMIT.optionText),
          value: c.value,
        })),
      },
    },
  ];
}

function reasonBlock(input: RequestModalInput): InputBlock {
  const max = Math.min(Math.max(input.reasonMaxLength, 1), TEXT_INPUT_MAX);
  const min = input.reasonMinLength > 0 ? ` (at least ${plural(input.reasonMinLength, 'character')})` : '';
  return {
    type: 'input',
    block_id: BLOCK.reason,
    optional: !input.reasonRequired,
    label: plain('Reason', LIMIT.hint),
    hint: plain(`Why you need this key${min}. Approvers see it.`, LIMIT.hint),
    element: {
      type: 'plain_text_input',
      action_id: ACTION.reasonInput,
      multiline: true,
      max_length: max,
    },
  };
}

function ipListBlock(defaults: readonly IpAccessEntry[]): InputBlock {
  const fallback =
    defaults.length === 0
      ? 'the policy default'
      : defaults.map((e) => (e.description ? `${e.source} (${e.description})` : e.source)).join(', ');
  return {
    type: 'input',
    block_id: BLOCK.ipList,
    optional: true,
    label: plain('IP access list', LIMIT.hint),
    hint: plain(
      `One per line: \`<IPv4 or CIDR> [description]\`. Empty means the default: ${fallback}`,
      LIMIT.hint,
    ),
    element: {
      type: 'plain_text_input',
      action_id: ACTION.ipListInput,
      multiline: true,
      placeholder: plain('203.0.113.0/24 office VPN', LIMIT.placeholder),
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
    ...(BLOCK.services in state ? { serviceIds: readServiceChoice(state) } : {}),
  };
}

/**
 * The input block that shows each draft field's error (`response_action: 'errors'` keys on
 * block ids). An expiry error lands on the Role block when no Expiry block is shown yet.
 */
export function requestModalBlockIds(state: ViewStateValues): Record<DraftField, string> {
  const roleId = readValue(state, BLOCK.role, ACTION.roleSelect);
  return {
    keyName: BLOCK.keyName,
    roleId: BLOCK.role,
    expiry: expiryBlockIn(state, roleId) ?? BLOCK.role,
    reason: BLOCK.reason,
    ipAccessList: BLOCK.ipList,
    // Shown only for a role scoped to services; otherwise its error lands on the Role block.
    serviceIds: BLOCK.services in state ? BLOCK.services : BLOCK.role,
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
    const blockId = ids[fieldName];
    out[blockId] = out[blockId] ? `${out[blockId]} ${message}` : message;
  }
  return out;
}

/** The modal while the roles this user may request are looked up (Slack user groups). */
export function requestCheckingModal(): ModalView {
  return workingModal('Request an API key', 'Checking which roles you may request…');
}

/** The modal after submission while Keyhouse checks the role and records the request. */
export function requestWorkingModal(keyName: string): ModalView {
  return workingModal('Request an API key', `Checking and sending your request for *${clip(keyName, 200)}*…`);
}

/** The modal's last state: where the request went, or why nothing was saved. */
export function requestOutcomeModal(outcome: Outcome): ModalView {
  return outcomeModal('Request an API key', outcome);
}

/** The outcome of a request recorded after the acknowledgement: where it went, what comes next. */
export function requestSentModal(request: KeyRequest, approvalChannel: string): ModalView {
  const name = `*${clip(request.keyName, 200)}*`;
  const text =
    request.state === 'approved'
      ? `Your request for ${name} needs no approval. Your *Create key* button is in your direct messages from Keyhouse.`
      : `Your request for ${name} was sent for approval in <#${approvalChannel}>. You will get a direct message when it is decided.`;
  return requestOutcomeModal({ ok: true, text });
}
