/**
 * Keys for some services only, through Slack (issue 25, product.md §16): the request modal offers
 * the services the role's patterns match, several at once; the approval message names them; the
 * Create key click makes a key holding the custom role on exactly those services.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { serviceRoleName } from '../../src/core/service-scope.js';
import { ACTION, BLOCK, CALLBACK, expiryBlockId } from '../../src/views/ids.js';
import { Harness, testPolicy, USERS } from '../support/keyhouse.js';
import { stateValue, viewSubmission } from '../support/slack-payloads.js';

const { alice, bob } = USERS;

function servicePolicy() {
  return testPolicy({
    roles: [
      {
        id: 'service-reader',
        label: 'Service reader',
        grant: { services: ['prod-*'], access: 'read' },
        maxExpiry: '90d',
        approvals: 1,
      },
    ],
  });
}

describe('a key for some services, through Slack', () => {
  let h: Harness;
  afterEach(async () => {
    expect(h.apiContractViolations()).toEqual([]);
    await h.close();
  });

  it('offers the matching services, names the chosen ones for approvers, and scopes the key to them', async () => {
    h = await Harness.start({ policy: servicePolicy() });
    const eu = h.clickhouse.addService({ name: 'prod-eu' });
    const us = h.clickhouse.addService({ name: 'prod-us' });
    h.clickhouse.addService({ name: 'staging' });

    await h.command(alice, '');
    // The services are read from ClickHouse after the acknowledgement: the modal opens on
    // "checking…" and is then updated to the form.
    type View = { callback_id: string; blocks: Array<Record<string, unknown>> };
    const withServices = (call: { args: Record<string, unknown> }) =>
      (call.args.view as View).blocks.some((b) => b.block_id === BLOCK.services);
    const shown = await h.slack.waitFor(() =>
      [...h.slack.callsTo('views.open'), ...h.slack.callsTo('views.update')].find(withServices),
    );
    const view = shown.args.view as View;
    expect(view.callback_id).toBe(CALLBACK.requestModal);
    const field = view.blocks.find((b) => b.block_id === BLOCK.services) as {
      element: { type: string; options: { value: string; text: { text: string } }[] };
    };
    expect(field.element.type).toBe('multi_static_select');
    expect(field.element.options.map((o) => [o.text.text, o.value])).toEqual([
      ['prod-eu', eu.id],
      ['prod-us', us.id],
    ]);

    const submitted = await h.post({
      kind: 'interaction',
      payload: viewSubmission({
        user: alice,
        callbackId: CALLBACK.requestModal,
        values: {
          [BLOCK.keyName]: { [ACTION.keyNameInput]: 'dashboards' },
          [BLOCK.role]: { [ACTION.roleSelect]: stateValue.staticSelect('service-reader') },
          [expiryBlockId('service-reader')]: { [ACTION.expirySelect]: stateValue.staticSelect('30d') },
          [BLOCK.reason]: { [ACTION.reasonInput]: 'Dashboards read both prod services' },
          [BLOCK.ipList]: { [ACTION.ipListInput]: null },
          [BLOCK.services]: {
            [ACTION.servicesSelect]: {
              type: 'multi_static_select',
              selected_options: [eu, us].map((s) => ({
                text: { type: 'plain_text', text: s.name },
                value: s.id,
              })),
            },
          },
        },
      }),
    });
    expect(submitted.status).toBe(200);
    const request = await h.latestRequest(alice);
    expect(request.services?.map((s) => s.name)).toEqual(['prod-eu', 'prod-us']);
    const message = await h.approvalMessage(request.id);
    expect(JSON.stringify(message.blocks)).toContain('*Services* (read): prod-eu, prod-us');

    await h.click(bob, ACTION.approve, request.id, { message });
    await h.untilState(request.id, 'approved');
    await h.click(alice, ACTION.createKey, request.id, { channel: 'D0ALICE' });
    const done = await h.untilState(request.id, 'delivered');
    const key = h.clickhouse.keys().find((k) => k.id === done.keyId)!;
    const role = h.clickhouse.roles().find((r) => r.id === key.assignedRoles[0]?.roleId)!;
    expect(role.name).toBe(serviceRoleName('service-reader', 'read', [eu.id, us.id]));
    expect(role.policies[0]?.resources).toEqual([`instance/${eu.id}`, `instance/${us.id}`].sort());
  });
});
