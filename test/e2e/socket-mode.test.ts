import { afterEach, describe, expect, it } from 'vitest';
import { ACTION, BLOCK, CALLBACK, expiryBlockId } from '../../src/views/ids.js';
import { APPROVAL_CHANNEL, Harness, USERS } from '../support/keyhouse.js';
import { blockAction, slashCommand, stateValue, viewSubmission } from '../support/slack-payloads.js';

const { alice, bob } = USERS;

describe('Socket Mode: the same app with no public URL', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('runs the happy path over the WebSocket, and still serves health on PORT', async () => {
    h = await Harness.start({ socketMode: true });
    expect(h.keyhouse.mode).toBe('socket');
    await h.slack.waitForSocket(1);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    // No Slack endpoint over HTTP in Socket Mode.
    expect((await fetch(`${h.url}/slack/events`, { method: 'POST' })).status).toBe(404);

    // Alice's language is looked up first, so her help comes through the response URL just after.
    const helpUrl = h.slack.newResponseUrl({ user: alice, channel: 'C0GENERAL' });
    const help = await h.slack.sendSocketEnvelope({
      kind: 'command',
      fields: slashCommand({ user_id: alice, text: 'help', response_url: helpUrl }) as never,
    });
    expect(help.ack).toBeNull();
    const answered = await h.slack.waitFor(() =>
      h.slack.responseUrlPosts.find((p) => helpUrl.endsWith(p.id)),
    );
    expect(JSON.stringify(answered.body)).toContain('/chkey');

    const opened = await h.slack.sendSocketEnvelope({
      kind: 'command',
      fields: slashCommand({ user_id: alice, text: '', trigger_id: h.slack.newTriggerId(alice) }) as never,
    });
    expect(opened.ack).toBeNull();
    await h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);

    const invalid = await h.slack.sendSocketEnvelope({
      kind: 'interaction',
      payload: viewSubmission({
        user: alice,
        callbackId: CALLBACK.requestModal,
        values: {
          [BLOCK.keyName]: { [ACTION.keyNameInput]: 'bad/name' },
          [BLOCK.role]: { [ACTION.roleSelect]: stateValue.staticSelect('developer') },
          [expiryBlockId('developer')]: { [ACTION.expirySelect]: stateValue.staticSelect('30d') },
          [BLOCK.reason]: { [ACTION.reasonInput]: 'Socket mode nightly job' },
          [BLOCK.ipList]: { [ACTION.ipListInput]: null },
        },
      }),
    });
    expect(invalid.ack).toMatchObject({
      response_action: 'errors',
      errors: { [BLOCK.keyName]: expect.any(String) },
    });

    await h.slack.sendSocketEnvelope({
      kind: 'interaction',
      payload: viewSubmission({
        user: alice,
        callbackId: CALLBACK.requestModal,
        values: {
          [BLOCK.keyName]: { [ACTION.keyNameInput]: 'socket-key' },
          [BLOCK.role]: { [ACTION.roleSelect]: stateValue.staticSelect('developer') },
          [expiryBlockId('developer')]: { [ACTION.expirySelect]: stateValue.staticSelect('30d') },
          [BLOCK.reason]: { [ACTION.reasonInput]: 'Socket mode nightly job' },
          [BLOCK.ipList]: { [ACTION.ipListInput]: null },
        },
      }),
    });
    const request = await h.until(
      async () => (await h.store.listRequests({ requesterId: alice }))[0],
      'request',
    );
    await h.approvalMessage(request.id);
    await h.slack.sendSocketEnvelope({
      kind: 'interaction',
      payload: blockAction({
        user: bob,
        actionId: ACTION.approve,
        value: request.id,
        channel: APPROVAL_CHANNEL,
        responseUrl: h.slack.newResponseUrl({ user: bob, channel: APPROVAL_CHANNEL }),
        triggerId: h.slack.newTriggerId(bob),
      }),
    });
    await h.claimMessage(alice, request.id);
    const responseUrl = h.slack.newResponseUrl({ user: alice, channel: h.slack.dmChannel(alice) });
    await h.slack.sendSocketEnvelope({
      kind: 'interaction',
      payload: blockAction({
        user: alice,
        actionId: ACTION.createKey,
        value: request.id,
        channel: h.slack.dmChannel(alice),
        responseUrl,
        triggerId: h.slack.newTriggerId(alice),
      }),
    });
    await h.untilState(request.id, 'delivered');
    const shown = h.slack.responseUrlPosts.filter((p) => /curl --user/.test(JSON.stringify(p.body)));
    expect(shown).toHaveLength(1);
    const secret = /curl --user '[^':]+:([^']+)'/.exec(JSON.stringify(shown[0]?.body))?.[1] ?? '';
    expect(h.traces(secret)).toMatchObject({ slackMessages: 1, logs: 0, database: 0, clickhouseLog: 0 });
  });
});
