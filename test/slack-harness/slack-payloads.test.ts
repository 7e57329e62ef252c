import { describe, expect, it } from 'vitest';
import {
  appHomeOpened,
  blockAction,
  mergeDeep,
  SLACK_TEST_DEFAULTS,
  slashCommand,
  stateValue,
  UNSET_RESPONSE_URL,
  viewClosed,
  viewSubmission,
} from '../support/slack-payloads.js';

describe('mergeDeep', () => {
  it('merges nested objects, replaces arrays and values, skips undefined', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 'x', e: 1 };
    expect(mergeDeep(base, { a: { c: [3] }, d: undefined, e: 2 })).toEqual({
      a: { b: 1, c: [3] },
      d: 'x',
      e: 2,
    });
    expect(base.a.c).toEqual([1, 2]);
  });
});

describe('payload factories', () => {
  it('builds a /chkey command in the shared test workspace, with the user name following the user', () => {
    const command = slashCommand({ user_id: 'U0DAVE', text: 'list all' });
    expect(command).toMatchObject({
      command: '/chkey',
      text: 'list all',
      user_id: 'U0DAVE',
      user_name: 'u0dave',
      team_id: SLACK_TEST_DEFAULTS.teamId,
      api_app_id: SLACK_TEST_DEFAULTS.appId,
      response_url: UNSET_RESPONSE_URL,
    });
    expect(Object.values(command).every((value) => typeof value === 'string')).toBe(true);
  });

  it('builds a select action from a modal, with container and state', () => {
    const payload = blockAction({
      user: 'U0ALICE',
      actionId: 'role',
      blockId: 'role_block',
      selectedOption: { value: 'admin', text: 'Admin' },
      responseUrl: 'http://127.0.0.1:1/r',
      triggerId: 't',
      view: {
        id: 'V1',
        callback_id: 'request',
        state: { values: { role_block: { role: stateValue.staticSelect('admin') } } },
      },
    });
    expect(payload.container).toEqual({ type: 'view', view_id: 'V1' });
    expect(payload.channel).toBeUndefined();
    expect(payload.view?.callback_id).toBe('request');
    expect(payload.actions[0]).toMatchObject({
      type: 'static_select',
      action_id: 'role',
      block_id: 'role_block',
      selected_option: { value: 'admin', text: { type: 'plain_text', text: 'Admin' } },
    });
    expect(payload.state?.values.role_block?.role?.selected_option?.value).toBe('admin');
  });

  it('sends no message for a click in an ephemeral message, and drops fake bookkeeping otherwise', () => {
    const message = {
      channel: 'D0ALICE',
      ts: '1700000000.000100',
      text: 'hi',
      history: [{}],
      user: 'U0KEYHOUSEBOT',
    };
    const ephemeral = blockAction({
      user: 'U0ALICE',
      actionId: 'saved',
      responseUrl: 'u',
      triggerId: 't',
      message,
      ephemeral: true,
    });
    expect(ephemeral.message).toBeUndefined();
    expect(ephemeral.container).toMatchObject({ type: 'message', channel_id: 'D0ALICE', is_ephemeral: true });
    const normal = blockAction({
      user: 'U0ALICE',
      actionId: 'create',
      value: 'req-1',
      responseUrl: 'u',
      triggerId: 't',
      message,
    });
    expect(normal.channel).toEqual({ id: 'D0ALICE', name: 'directmessage' });
    expect(normal.message).toMatchObject({ ts: '1700000000.000100', text: 'hi' });
    expect(normal.message).not.toHaveProperty('history');
    expect(normal.actions[0]).toMatchObject({ type: 'button', value: 'req-1' });
  });

  it('shapes view state values like Slack', () => {
    const payload = viewSubmission({
      user: 'U0ALICE',
      callbackId: 'request',
      privateMetadata: '{"v":1}',
      values: {
        name: { value: 'ci-key' },
        role: { value: stateValue.staticSelect('developer', 'Developer') },
      },
    });
    expect(payload.view.state.values).toEqual({
      name: { value: { type: 'plain_text_input', value: 'ci-key' } },
      role: {
        value: {
          type: 'static_select',
          selected_option: {
            text: { type: 'plain_text', text: 'Developer', emoji: true },
            value: 'developer',
          },
        },
      },
    });
    expect(payload.view.blocks.map((block) => block.block_id)).toEqual(['name', 'role']);
    expect(payload.view.private_metadata).toBe('{"v":1}');
    expect(viewClosed({ user: 'U0ALICE', callbackId: 'deny', isCleared: true })).toMatchObject({
      type: 'view_closed',
      is_cleared: true,
      view: { callback_id: 'deny', notify_on_close: true },
    });
  });

  it('wraps app_home_opened in an event_callback envelope with unique event ids', () => {
    const first = appHomeOpened({ user: 'U0ALICE' });
    const second = appHomeOpened({ user: 'U0ALICE' }, { event: { tab: 'messages' } });
    expect(first).toMatchObject({
      type: 'event_callback',
      team_id: SLACK_TEST_DEFAULTS.teamId,
      event: { type: 'app_home_opened', user: 'U0ALICE', channel: 'DU0ALICE', tab: 'home' },
    });
    expect(second.event.tab).toBe('messages');
    expect(second.event_id).not.toBe(first.event_id);
  });
});
