import type { InputBlock, ModalView, PlainTextOption, StaticSelect } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkView } from '../../dev/fake-slack/block-kit-limits.js';
import { deleteKeyModal, readDeleteModal } from '../../src/views/delete-modal.js';
import { type EditModalInput, editKeyModal, readEditModal } from '../../src/views/edit-modal.js';
import { ACTION, BLOCK, CALLBACK } from '../../src/views/ids.js';
import { KEEP } from '../../src/workflow/index.js';
import { english } from '../support/words.js';
import { apiKey, EXPIRY_CHOICES, keyEntry, policyRole } from './fixtures.js';

const ROLES = [
  policyRole(),
  policyRole({ id: 'admin', label: 'Admin', maxExpiry: '7d', maxExpiryMs: 7 * 86_400_000 }),
  policyRole({ id: 'query-endpoints', label: 'Query endpoints', maxExpiry: 'never', maxExpiryMs: null }),
];

/** What a handler would put in private_metadata: opaque to the view. */
const CONTEXT = JSON.stringify({ keyId: apiKey().id, scope: 'mine', page: 0 });

function input(overrides: Partial<EditModalInput> = {}): EditModalInput {
  return {
    entry: keyEntry(),
    roles: ROLES,
    currentRoleId: 'developer',
    selectedRoleId: null,
    expiryChoices: EXPIRY_CHOICES,
    context: CONTEXT,
    ...overrides,
  };
}

const inputs = (view: ModalView): InputBlock[] =>
  view.blocks.filter((b): b is InputBlock => b.type === 'input');
const labelled = (view: ModalView, label: string): InputBlock => {
  const block = inputs(view).find((b) => b.label.text === label);
  expect(block, label).toBeDefined();
  return block as InputBlock;
};
const select = (block: InputBlock) => block.element as StaticSelect;
const values = (options: PlainTextOption[] | undefined) => (options ?? []).map((o) => o.value);

/** The `view` of a view_submission as Slack sends it, with the given value per action id. */
function submitted(view: ModalView, typed: Record<string, string | null>): Record<string, unknown> {
  const state: Record<string, Record<string, unknown>> = {};
  for (const block of inputs(view)) {
    const element = block.element as { type: string; action_id: string; initial_option?: PlainTextOption };
    const value = element.action_id in typed ? typed[element.action_id] : null;
    state[block.block_id as string] = {
      [element.action_id]:
        element.type === 'static_select'
          ? {
              type: 'static_select',
              selected_option:
                value === null
                  ? (element.initial_option ?? null)
                  : { text: { type: 'plain_text', text: value }, value },
            }
          : { type: 'plain_text_input', value },
    };
  }
  return {
    id: 'V0EDIT',
    type: 'modal',
    callback_id: view.callback_id,
    private_metadata: view.private_metadata,
    state: { values: state },
  };
}

describe('editKeyModal', () => {
  const view = editKeyModal(english, input());

  it('is a valid modal with the product wording and ids', () => {
    expect(checkView(view)).toEqual([]);
    expect(view.callback_id).toBe(CALLBACK.editModal);
    expect([view.title.text, view.submit?.text, view.close?.text]).toEqual(['Edit key', 'Save', 'Cancel']);
    expect(inputs(view).map((b) => [b.label.text, b.block_id])).toEqual([
      ['Key name', BLOCK.editName],
      ['Role', BLOCK.editRole],
      ['Expiry', `${BLOCK.editExpiryPrefix}keep`],
      ['Reason', BLOCK.editReason],
    ]);
    expect(view.private_metadata).toBe(CONTEXT);
  });

  it('starts from the current name', () => {
    expect(labelled(view, 'Key name').element).toMatchObject({
      type: 'plain_text_input',
      action_id: ACTION.editName,
      initial_value: 'etl-nightly',
      max_length: 64,
    });
  });

  it('offers "keep" first, then the other roles, and dispatches role changes', () => {
    const role = labelled(view, 'Role');
    expect(role.dispatch_action).toBe(true);
    expect(select(role).action_id).toBe(ACTION.editRole);
    // The key's own role is what "keep" means; offering it again would ask for a change to nothing.
    expect(values(select(role).options)).toEqual([KEEP, 'admin', 'query-endpoints']);
    expect(select(role).options?.[0]?.text.text).toBe('Keep current role');
    expect(select(role).initial_option?.value).toBe(KEEP);
  });

  it('offers every role when the current one is unknown', () => {
    const other = editKeyModal(english, input({ currentRoleId: null }));
    expect(checkView(other)).toEqual([]);
    expect(values(select(labelled(other, 'Role')).options)).toEqual([
      KEEP,
      'developer',
      'admin',
      'query-endpoints',
    ]);
  });

  it('offers "keep" first among the expiry choices, chosen by default', () => {
    const expiry = labelled(view, 'Expiry');
    expect(select(expiry).action_id).toBe(ACTION.editExpiry);
    expect(values(select(expiry).options)).toEqual([KEEP, '1d', '7d', '30d', '90d']);
    expect(select(expiry).options?.[0]?.text.text).toBe('Keep current expiry');
    expect(select(expiry).initial_option?.value).toBe(KEEP);
    expect(expiry.hint?.text).toContain('Longest for Developer (read-only): 90 days');
  });

  it('has an optional reason for approvers', () => {
    const reason = labelled(view, 'Reason');
    expect(reason.optional).toBe(true);
    expect(reason.element).toMatchObject({ action_id: ACTION.editReason, multiline: true });
    expect(reason.hint?.text).toBe('For approvers, when the change needs approval.');
  });

  it('states the current role and expiry and what needs approval', () => {
    const context = JSON.stringify(view.blocks[0]);
    expect(view.blocks[0]?.type).toBe('context');
    expect(context).toContain('Editing *etl-nightly* `…WXYZ`');
    expect(context).toContain('role Developer (read-only)');
    expect(context).toContain('expires <!date^');
    expect(context).toContain('Renaming applies at once, and so does a shorter expiry.');
    expect(context).toContain('A longer expiry or another role is sent for approval');
  });

  it('names the expiry block after the selected role and preselects it', () => {
    const chosen = editKeyModal(
      english,
      input({ selectedRoleId: 'admin', expiryChoices: EXPIRY_CHOICES.slice(0, 2) }),
    );
    expect(checkView(chosen)).toEqual([]);
    expect(select(labelled(chosen, 'Role')).initial_option?.value).toBe('admin');
    const expiry = labelled(chosen, 'Expiry');
    expect(expiry.block_id).toBe(`${BLOCK.editExpiryPrefix}admin`);
    expect(values(select(expiry).options)).toEqual([KEEP, '1d', '7d']);
    expect(expiry.hint?.text).toContain('Longest for Admin: 7 days');
  });

  it('reads a selection of the current role, or of a role no longer offered, as keep', () => {
    for (const selectedRoleId of ['developer', 'gone']) {
      const other = editKeyModal(english, input({ selectedRoleId }));
      expect(select(labelled(other, 'Role')).initial_option?.value).toBe(KEEP);
      expect(labelled(other, 'Expiry').block_id).toBe(`${BLOCK.editExpiryPrefix}keep`);
    }
  });

  it('still fits a long name made in the console, and escapes it in mrkdwn', () => {
    const name = `<!channel>${'x'.repeat(90)}`;
    const other = editKeyModal(english, input({ entry: keyEntry({ key: apiKey({ name }) }) }));
    expect(checkView(other)).toEqual([]);
    expect(labelled(other, 'Key name').element).toMatchObject({ initial_value: name, max_length: 100 });
    expect(JSON.stringify(other.blocks[0])).not.toContain('<!channel>');
    expect(JSON.stringify(other.blocks[0])).toContain('&lt;!channel&gt;');
  });

  it('refuses a context that would not fit in private_metadata', () => {
    expect(() => editKeyModal(english, input({ context: 'x'.repeat(2901) }))).toThrow(RangeError);
    expect(checkView(editKeyModal(english, input({ context: 'x'.repeat(2900) })))).toEqual([]);
  });
});

describe('readEditModal', () => {
  it('reads back what the user submitted, with the block ids of this view', () => {
    const view = editKeyModal(english, input({ selectedRoleId: 'admin' }));
    const read = readEditModal(
      submitted(view, {
        [ACTION.editName]: 'etl-nightly-2',
        [ACTION.editRole]: 'admin',
        [ACTION.editExpiry]: '7d',
        [ACTION.editReason]: 'Needs to write now.',
      }),
    );
    expect(read).toEqual({
      keyName: 'etl-nightly-2',
      roleId: 'admin',
      expiry: '7d',
      reason: 'Needs to write now.',
      context: CONTEXT,
      blockIds: {
        keyName: BLOCK.editName,
        roleId: BLOCK.editRole,
        expiry: `${BLOCK.editExpiryPrefix}admin`,
        reason: BLOCK.editReason,
        // No Services field for these roles: its error would land on the Role block.
        serviceIds: BLOCK.editRole,
      },
    });
    // Every block id handed back for errors exists in the view.
    const ids = view.blocks.map((b) => b.block_id);
    for (const id of Object.values(read.blockIds)) expect(ids).toContain(id);
  });

  it('reads an untouched dialog as: same name, keep, keep, no reason', () => {
    const view = editKeyModal(english, input());
    const read = readEditModal(submitted(view, { [ACTION.editName]: 'etl-nightly' }));
    expect(read).toMatchObject({ keyName: 'etl-nightly', roleId: KEEP, expiry: KEEP, reason: '' });
    expect(read.blockIds.expiry).toBe(`${BLOCK.editExpiryPrefix}keep`);
  });

  it('picks the expiry block of the chosen role when Slack sends several', () => {
    const read = readEditModal({
      state: {
        values: {
          [`${BLOCK.editExpiryPrefix}keep`]: { [ACTION.editExpiry]: { selected_option: { value: '90d' } } },
          [BLOCK.editRole]: { [ACTION.editRole]: { selected_option: { value: 'admin' } } },
          [`${BLOCK.editExpiryPrefix}admin`]: { [ACTION.editExpiry]: { selected_option: { value: '1d' } } },
        },
      },
    });
    expect(read.expiry).toBe('1d');
    expect(read.blockIds.expiry).toBe(`${BLOCK.editExpiryPrefix}admin`);
  });

  it('reads anything missing or malformed as empty, and role and expiry as keep', () => {
    const empty = {
      keyName: '',
      roleId: KEEP,
      expiry: KEEP,
      reason: '',
      context: '',
      blockIds: {
        keyName: BLOCK.editName,
        roleId: BLOCK.editRole,
        expiry: BLOCK.editRole,
        reason: BLOCK.editReason,
        serviceIds: BLOCK.editRole,
      },
    };
    expect(readEditModal(undefined)).toEqual(empty);
    expect(readEditModal('nope')).toEqual(empty);
    expect(readEditModal({ private_metadata: 42, state: [] })).toEqual(empty);
    const odd = readEditModal({
      private_metadata: 'ctx',
      state: {
        values: {
          [BLOCK.editName]: { [ACTION.editName]: { value: 42 } },
          [BLOCK.editRole]: { [ACTION.editRole]: { selected_option: null } },
          [BLOCK.editReason]: 'x',
        },
      },
    });
    expect(odd).toMatchObject({
      keyName: '',
      roleId: KEEP,
      expiry: KEEP,
      reason: '',
      context: 'ctx',
    });
  });
});

describe('deleteKeyModal', () => {
  it('asks plainly, carries the context, and reads it back', () => {
    const view = deleteKeyModal(english, keyEntry({ ownerId: 'U0OTHER' }), CONTEXT);
    expect(checkView(view)).toEqual([]);
    expect(view.callback_id).toBe(CALLBACK.deleteModal);
    expect([view.title.text, view.submit?.text, view.close?.text]).toEqual([
      'Delete key',
      'Delete',
      'Cancel',
    ]);
    expect(view.blocks[0]).toMatchObject({
      type: 'section',
      text: {
        text: 'Delete *etl-nightly* (`…WXYZ`)? Anything using it stops working at once. This cannot be undone.',
      },
    });
    expect(JSON.stringify(view.blocks)).toContain('owner <@U0OTHER>');
    expect(view.private_metadata).toBe(CONTEXT);
    expect(readDeleteModal({ ...view, state: { values: {} } })).toEqual({ context: CONTEXT });
  });

  it('escapes the name, and says when nobody in Slack owns the key', () => {
    const view = deleteKeyModal(
      english,
      keyEntry({ ownerId: null, key: apiKey({ name: '<!here>' }) }),
      CONTEXT,
    );
    expect(checkView(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).not.toContain('<!here>');
    expect(JSON.stringify(view.blocks)).toContain('created outside Keyhouse');
  });

  it('reads a malformed view as an empty context, and refuses a context too long', () => {
    expect(readDeleteModal(null)).toEqual({ context: '' });
    expect(readDeleteModal({ private_metadata: ['x'] })).toEqual({ context: '' });
    expect(() => deleteKeyModal(english, keyEntry(), 'x'.repeat(3001))).toThrow(RangeError);
  });
});
