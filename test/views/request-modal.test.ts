import type { InputBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkView } from '../../dev/fake-slack/block-kit-limits.js';
import { ACTION, BLOCK, CALLBACK, expiryBlockId } from '../../src/views/ids.js';
import {
  type RequestModalInput,
  readRequestModal,
  requestModal,
  requestModalBlockIds,
  requestModalErrors,
  type ViewStateValues,
} from '../../src/views/request-modal.js';
import { english, korean } from '../support/words.js';
import { EXPIRY_CHOICES, policyRole } from './fixtures.js';

const ROLES = [
  policyRole(),
  policyRole({ id: 'admin', label: 'Admin', maxExpiry: '7d', maxExpiryMs: 7 * 86_400_000, approvals: 2 }),
  policyRole({
    id: 'query-endpoints',
    label: 'Query endpoints',
    maxExpiry: 'never',
    maxExpiryMs: null,
    approvals: 0,
  }),
];

function input(overrides: Partial<RequestModalInput> = {}): RequestModalInput {
  return {
    roles: ROLES,
    selectedRoleId: null,
    expiryChoices: [],
    reasonRequired: true,
    reasonMinLength: 10,
    reasonMaxLength: 2000,
    defaultIpAccessList: [{ source: '0.0.0.0/0', description: 'anywhere' }],
    keyName: { pattern: '^[A-Za-z0-9 _.-]{1,64}$', hint: null },
    ...overrides,
  };
}

const inputs = (view: ModalView): InputBlock[] =>
  view.blocks.filter((b): b is InputBlock => b.type === 'input');
const labelled = (view: ModalView, label: string): InputBlock | undefined =>
  inputs(view).find((b) => b.label.text === label);

/** The `view.state.values` Slack would send for this view, with the given value per action id. */
function stateFor(view: ModalView, values: Record<string, string | null>): ViewStateValues {
  const state: ViewStateValues = {};
  for (const block of inputs(view)) {
    const element = block.element as { type: string; action_id: string };
    const value = values[element.action_id] ?? null;
    state[block.block_id as string] = {
      [element.action_id]:
        element.type === 'static_select'
          ? {
              type: 'static_select',
              selected_option: value === null ? null : { value },
            }
          : { type: 'plain_text_input', value },
    };
  }
  return state;
}

describe('requestModal before a role is chosen', () => {
  const view = requestModal(english, input());

  it('is a valid modal with the product wording', () => {
    expect(checkView(view)).toEqual([]);
    expect(view.callback_id).toBe(CALLBACK.requestModal);
    expect(view.title.text).toBe('Request an API key');
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.submit?.text).toBe('Request');
    expect(view.close?.text).toBe('Cancel');
    expect(inputs(view).map((b) => b.label.text)).toEqual(['Key name', 'Role', 'Reason', 'IP access list']);
  });

  it('asks for a role before showing expiry choices', () => {
    expect(JSON.stringify(view.blocks)).toContain('choose a role first');
    expect(view.blocks.some((b) => b.block_id?.startsWith(BLOCK.expiryPrefix))).toBe(false);
  });

  it('dispatches role changes and offers only the given roles', () => {
    const role = labelled(view, 'Role');
    expect(role?.block_id).toBe(BLOCK.role);
    expect(role?.dispatch_action).toBe(true);
    expect(role?.element).toMatchObject({ type: 'static_select', action_id: ACTION.roleSelect });
    const element = role?.element as {
      options: { value: string; text: { text: string } }[];
      initial_option?: unknown;
    };
    expect(element.options.map((o) => o.value)).toEqual(['developer', 'admin', 'query-endpoints']);
    expect(element.options.map((o) => o.text.text)).toEqual([
      'Developer (read-only)',
      'Admin',
      'Query endpoints',
    ]);
    expect(element.initial_option).toBeUndefined();
    expect(JSON.stringify(element.options)).toContain('no approval needed');
  });

  it('has the key name, reason and IP list inputs as the policy says', () => {
    expect(labelled(view, 'Key name')?.element).toMatchObject({
      type: 'plain_text_input',
      action_id: ACTION.keyNameInput,
      max_length: 64,
    });
    const reason = labelled(view, 'Reason');
    expect(reason).toMatchObject({ block_id: BLOCK.reason, optional: false });
    expect(reason?.element).toMatchObject({
      action_id: ACTION.reasonInput,
      multiline: true,
      max_length: 2000,
    });
    expect(reason?.hint?.text).toContain('at least 10 characters');
    const ips = labelled(view, 'IP access list');
    expect(ips).toMatchObject({ block_id: BLOCK.ipList, optional: true });
    expect(ips?.element).toMatchObject({ action_id: ACTION.ipListInput, multiline: true });
    // plain_text shows markup as typed (issue #20 item 9): the format is said in words.
    expect(ips?.hint?.text).toBe(
      'One entry per line: an IPv4 address or CIDR range, then a description if you like. Empty means the default: 0.0.0.0/0 (anywhere)',
    );
    expect(ips?.hint?.text).not.toMatch(/[`*<]/);
  });

  it('makes the reason optional when the policy does', () => {
    const other = requestModal(english, input({ reasonRequired: false, reasonMinLength: 0 }));
    expect(labelled(other, 'Reason')?.optional).toBe(true);
    expect(labelled(other, 'Reason')?.hint?.text).not.toContain('at least');
  });
});

describe('requestModal states the policy key-name rule (issue #20 item 2)', () => {
  const hintOf = (keyName: RequestModalInput['keyName'], m = english) =>
    labelled(requestModal(m, input({ keyName })), m === english ? 'Key name' : '키 이름');

  it('describes the default rule, not a generic limit', () => {
    const field = hintOf({ pattern: '^[A-Za-z0-9 _.-]{1,64}$', hint: null });
    expect(field?.hint?.text).toBe(
      '1 to 64 characters: letters, digits, spaces, underscores, dots, and dashes.',
    );
    expect(field?.element).toMatchObject({ max_length: 64 });
  });

  it("describes a policy's own pattern: its length, characters and first character", () => {
    const field = hintOf({ pattern: '^[a-z0-9][a-z0-9-]{2,40}$', hint: null });
    expect(field?.hint?.text).toBe(
      '3 to 41 characters: lowercase letters, digits, and dashes. It cannot start with a dash.',
    );
    expect(field?.hint?.text).not.toContain('64');
    // Slack stops the typing at the rule's longest name.
    expect(field?.element).toMatchObject({ max_length: 41 });
  });

  it('says the rule in Korean to a Korean reader', () => {
    const field = hintOf({ pattern: '^[a-z0-9][a-z0-9-]{2,40}$', hint: null }, korean);
    expect(field?.hint?.text).toBe(
      '3~41자, 영문 소문자, 숫자 및 하이픈(-)만 쓸 수 있습니다. 이름은 하이픈(-)(으)로 시작할 수 없습니다.',
    );
  });

  it("shows the policy's hint, else the pattern, for a pattern it cannot read", () => {
    expect(hintOf({ pattern: '^(etl|bi)-[a-z]+$', hint: 'Start with etl- or bi-.' })?.hint?.text).toBe(
      'Start with etl- or bi-.',
    );
    expect(hintOf({ pattern: '^(etl|bi)-[a-z]+$', hint: null })?.hint?.text).toBe(
      'The name must match the pattern ^(etl|bi)-[a-z]+$',
    );
  });
});

describe('requestModal with a role chosen', () => {
  const view = requestModal(
    english,
    input({ selectedRoleId: 'admin', expiryChoices: EXPIRY_CHOICES.slice(0, 2) }),
  );

  it('preselects the role and offers its expiry choices in a block named after it', () => {
    expect(checkView(view)).toEqual([]);
    expect(inputs(view).map((b) => b.label.text)).toEqual([
      'Key name',
      'Role',
      'Expiry',
      'Reason',
      'IP access list',
    ]);
    const role = labelled(view, 'Role')?.element as { initial_option?: { value: string } };
    expect(role.initial_option?.value).toBe('admin');
    const expiry = labelled(view, 'Expiry');
    expect(expiry?.block_id).toBe(expiryBlockId('admin'));
    expect(expiry?.element).toMatchObject({
      type: 'static_select',
      action_id: ACTION.expirySelect,
      options: [
        { text: { text: '1 day' }, value: '1d' },
        { text: { text: '7 days' }, value: '7d' },
      ],
    });
    expect(expiry?.hint?.text).toContain('Longest for Admin: 7 days');
  });

  it('matches the snapshot', () => {
    expect(view).toMatchSnapshot();
  });
});

describe('readRequestModal and requestModalBlockIds', () => {
  const view = requestModal(english, input({ selectedRoleId: 'developer', expiryChoices: EXPIRY_CHOICES }));

  it('round-trips what the user entered', () => {
    const state = stateFor(view, {
      [ACTION.keyNameInput]: 'etl-nightly',
      [ACTION.roleSelect]: 'developer',
      [ACTION.expirySelect]: '30d',
      [ACTION.reasonInput]: 'Nightly ETL job',
      [ACTION.ipListInput]: '10.0.0.0/8 office',
    });
    expect(readRequestModal(state)).toEqual({
      keyName: 'etl-nightly',
      roleId: 'developer',
      expiry: '30d',
      reason: 'Nightly ETL job',
      ipAccessList: '10.0.0.0/8 office',
    });
    expect(requestModalBlockIds(state)).toEqual({
      keyName: BLOCK.keyName,
      roleId: BLOCK.role,
      expiry: 'expiry:developer',
      reason: BLOCK.reason,
      ipAccessList: BLOCK.ipList,
      // No Services field for this role: its error would land on the Role block.
      serviceIds: BLOCK.role,
    });
    // Every id the handler would key an error on is an input block of the view.
    const ids = new Set(inputs(view).map((b) => b.block_id));
    for (const id of Object.values(requestModalBlockIds(state))) expect(ids.has(id)).toBe(true);
  });

  it('reads empty fields as empty strings', () => {
    expect(readRequestModal(stateFor(view, {}))).toEqual({
      keyName: '',
      roleId: '',
      expiry: '',
      reason: '',
      ipAccessList: '',
    });
    expect(readRequestModal({})).toEqual({
      keyName: '',
      roleId: '',
      expiry: '',
      reason: '',
      ipAccessList: '',
    });
  });

  it('ignores malformed values instead of throwing', () => {
    const state = { key_name: { [ACTION.keyNameInput]: { type: 'plain_text_input', value: 42 } } } as never;
    expect(readRequestModal(state).keyName).toBe('');
  });

  it('puts an expiry error on the Role block while no Expiry block is shown', () => {
    const bare = requestModal(english, input());
    const state = stateFor(bare, { [ACTION.roleSelect]: 'admin' });
    expect(requestModalBlockIds(state).expiry).toBe(BLOCK.role);
    expect(
      requestModalErrors({ roleId: 'You may not request this role.', expiry: 'Choose an expiry.' }, state),
    ).toEqual({ [BLOCK.role]: 'You may not request this role. Choose an expiry.' });
  });

  it('prefers the Expiry block of the chosen role', () => {
    const state: ViewStateValues = {
      role: { [ACTION.roleSelect]: { type: 'static_select', selected_option: { value: 'admin' } } },
      'expiry:developer': {
        [ACTION.expirySelect]: { type: 'static_select', selected_option: { value: '90d' } },
      },
      'expiry:admin': { [ACTION.expirySelect]: { type: 'static_select', selected_option: { value: '7d' } } },
    };
    expect(readRequestModal(state).expiry).toBe('7d');
    expect(requestModalBlockIds(state).expiry).toBe('expiry:admin');
  });
});

describe('requestModal limits', () => {
  it('stays valid with long labels, 100 roles and a long default IP list', () => {
    const roles = Array.from({ length: 100 }, (_, i) =>
      policyRole({ id: `r${i}`, label: `${'L'.repeat(75)}` }),
    );
    const defaultIpAccessList = Array.from({ length: 50 }, (_, i) => ({
      source: `10.${i}.0.0/16`,
      description: 'd'.repeat(100),
    }));
    const view = requestModal(
      english,
      input({
        roles,
        selectedRoleId: 'r5',
        expiryChoices: EXPIRY_CHOICES,
        defaultIpAccessList,
        reasonMaxLength: 5000,
      }),
    );
    expect(checkView(view)).toEqual([]);
  });

  it('renders a role-less modal without an empty select', () => {
    const view = requestModal(english, input({ roles: [] }));
    expect(checkView(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('No role is open to you');
  });
});

describe('requestModal with Deliver to (product.md §12)', () => {
  const vault = {
    id: 'vault-prod',
    type: 'vault-kv' as const,
    mount: 'secret',
    path: 'clickhouse/{keyName}',
  };

  it('says what choosing a destination changes only when one is offered', () => {
    const plain = JSON.stringify(requestModal(english, input({ selectedRoleId: 'developer' })));
    expect(plain).toContain('After approval you get a *Create key* button;');
    const offered = requestModal(english, input({ selectedRoleId: 'developer', destinations: [vault] }));
    expect(checkView(offered)).toEqual([]);
    expect(JSON.stringify(offered)).toContain('unless you choose a destination in *Deliver to*');
    expect(
      JSON.stringify(requestModal(korean, input({ selectedRoleId: 'developer', destinations: [vault] }))),
    ).toContain('*전달 위치*');
  });
});
