import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTION, BLOCK, expiryBlockId } from '../../src/views/ids.js';
import { ManualClock } from '../support/clock.js';
import { APPROVAL_CHANNEL, Harness, testPolicy, USERS } from '../support/keyhouse.js';
import { slashCommand } from '../support/slack-payloads.js';

const { alice, bob, eve } = USERS;
const valid = {
  keyName: 'etl-reader',
  roleId: 'developer',
  expiry: '30d',
  reason: 'Reads the events table nightly',
};

describe('the edges of the request flow', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  describe('request signing', () => {
    const help = () => ({
      kind: 'command' as const,
      fields: slashCommand({ user_id: alice, text: 'help' }) as never,
    });

    it('answers a correctly signed request', async () => {
      const answer = await h.post(help());
      expect(answer.status).toBe(200);
      // Alice's language was not known yet: the help follows once Slack said what it is.
      expect(JSON.stringify(await h.answer(alice, 'help'))).toContain('/chkey');
    });

    it('refuses a bad signature with 401 and does nothing', async () => {
      const answer = await h.post(help(), { signature: `v0=${'0'.repeat(64)}` });
      expect(answer.status).toBe(401);
      expect(answer.body).toBe('');
      expect(h.slack.calls).toHaveLength(0);
    });

    it('checks the signature before parsing anything: a forged body is refused as forged (issue 9, item 8)', async () => {
      const forged = (body: string) =>
        fetch(`${h.url}/slack/events`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
            'x-slack-signature': `v0=${'0'.repeat(64)}`,
          },
          body,
        });
      // Parsed first, these were answered 400 ("not an object"), telling a forger the parser ran.
      for (const body of ['null', '{"team": 5}', 'not json at all'])
        expect((await forged(body)).status).toBe(401);
      const unstamped = await fetch(`${h.url}/slack/events`, { method: 'POST', body: '{}' });
      expect(unstamped.status).toBe(401);
      expect(h.slack.calls).toHaveLength(0);
      expect(h.logs).toMatch(/bad signature/);
    });

    it('refuses a body over 1 MiB with 413 without waiting for its end, and closes its connection', async () => {
      const { request } = await import('node:http');
      const answer = await new Promise<{ status?: number; connection?: string; closed: Promise<void> }>(
        (resolve, reject) => {
          const req = request(`${h.url}/slack/events`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
              'x-slack-signature': `v0=${'0'.repeat(64)}`,
            },
          });
          req.on('response', (res) => {
            res.resume();
            const closed = new Promise<void>((done) => req.socket?.once('close', () => done()));
            resolve({ status: res.statusCode, connection: res.headers.connection, closed });
          });
          req.on('error', reject);
          // 1.1 MiB written and the request never ended: the answer cannot have waited for its end.
          const chunk = 'x'.repeat(64 * 1024);
          for (let i = 0; i < 18; i++) req.write(chunk);
        },
      );
      expect({ status: answer.status, connection: answer.connection }).toEqual({
        status: 413,
        connection: 'close',
      });
      await answer.closed;
      expect(h.slack.calls).toHaveLength(0);
    });

    it('refuses a request signed more than 5 minutes ago', async () => {
      const answer = await h.post(help(), { timestampSec: Math.floor(Date.now() / 1000) - 330 });
      expect(answer.status).toBe(401);
    });

    it('refuses a request signed more than 5 minutes in the future', async () => {
      const answer = await h.post(help(), { timestampSec: Math.floor(Date.now() / 1000) + 330 });
      expect(answer.status).toBe(401);
      expect(h.slack.calls).toHaveLength(0);
    });

    it('refuses a forged interaction that would have approved a request', async () => {
      await h.submitRequest(alice, valid);
      const request = await h.latestRequest(alice);
      await h.approvalMessage(request.id);
      const { blockAction } = await import('../support/slack-payloads.js');
      const payload = blockAction({
        user: bob,
        actionId: ACTION.approve,
        value: request.id,
        responseUrl: h.slack.newResponseUrl(),
        triggerId: h.slack.newTriggerId(),
      });
      const answer = await h.post({ kind: 'interaction', payload }, { signature: 'v0=forged' });
      expect(answer.status).toBe(401);
      expect(await h.store.listDecisions(request.id)).toEqual([]);
    });
  });

  describe('slash command words', () => {
    it('help is ephemeral usage, of what the reader may do (list all for approvers)', async () => {
      const body = (await h.answer(alice, 'help')) as { response_type?: string };
      expect(body.response_type ?? 'ephemeral').toBe('ephemeral');
      expect(JSON.stringify(body)).toMatch(/request/);
      expect(JSON.stringify(body)).not.toMatch(/list all/);
      expect(JSON.stringify(await h.answer(bob, 'help'))).toMatch(/list all/);
    });

    it('an unknown word is quoted back, escaped', async () => {
      const text = JSON.stringify(await h.answer(alice, '<!channel> frobnicate'));
      expect(text).toContain('&lt;!channel&gt;');
      expect(text).not.toContain('<!channel>');
    });

    it('a user who may request nothing is told whom to ask, and no modal opens', async () => {
      await h.close();
      h = await Harness.start({ policy: testPolicy({ requesters: [bob] }) });
      const { responseUrl } = await h.command(eve, '');
      const told = await h.slack.waitFor(() =>
        h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id)),
      );
      expect(JSON.stringify(told.body)).toContain(`<@${USERS.admin}>`);
      expect(h.slack.callsTo('views.open')).toHaveLength(0);
    });
  });

  describe('invalid submissions are answered in the modal, and nothing is stored', () => {
    async function errorsFor(values: Partial<typeof valid> & { ipList?: string }, user: string = alice) {
      const answer = await h.submitRequest(user, { ...valid, ...values });
      expect(answer.status).toBe(200);
      const body = answer.json as { response_action: string; errors: Record<string, string> };
      expect(body.response_action).toBe('errors');
      return body.errors;
    }

    afterEach(async () => {
      expect(await h.requests()).toEqual([]);
      expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    });

    it('a bad key name', async () => {
      expect(Object.keys(await errorsFor({ keyName: 'no/slashes<here>' }))).toEqual([BLOCK.keyName]);
    });

    it('a short reason', async () => {
      expect(Object.keys(await errorsFor({ reason: 'short' }))).toEqual([BLOCK.reason]);
    });

    it('an expiry beyond the role maximum', async () => {
      const errors = await errorsFor({ roleId: 'admin', expiry: '90d' });
      expect(Object.keys(errors)).toEqual([expiryBlockId('admin')]);
    });

    it('a role the user may not request', async () => {
      await h.close();
      h = await Harness.start({
        policy: testPolicy({
          roles: [
            {
              id: 'developer',
              label: 'Developer',
              grant: { roles: ['developer'] },
              maxExpiry: '90d',
              approvals: 1,
            },
            {
              id: 'admin',
              label: 'Admin',
              grant: { roles: ['admin'] },
              maxExpiry: '7d',
              approvals: 1,
              requesters: [bob],
            },
          ],
        }),
      });
      const errors = await errorsFor({ roleId: 'admin', expiry: '7d' });
      expect(Object.keys(errors)).toEqual([BLOCK.role]);
    });

    it('a malformed IP list, with every field error at once', async () => {
      const errors = await errorsFor({ keyName: '', reason: '', ipList: '10.0.0.1/8 office\n10.0.0.300' });
      expect(Object.keys(errors).sort()).toEqual([BLOCK.ipList, BLOCK.keyName, BLOCK.reason].sort());
      expect(errors[BLOCK.ipList]).toMatch(/line 2/);
    });
  });

  it('escapes user text, so <!channel> in a reason pings nobody', async () => {
    await h.submitRequest(alice, {
      ...valid,
      reason: 'Please <!channel> look & <@U0BOB> <https://evil.example|click>',
    });
    const request = await h.latestRequest(alice);
    const message = await h.approvalMessage(request.id);
    const rendered = JSON.stringify(message.blocks);
    expect(rendered).toContain('&lt;!channel&gt;');
    expect(rendered).not.toContain('<!channel>');
    expect(rendered).not.toContain('<https://evil.example');
    expect(rendered).toContain('&amp;');
  });

  it('keeps the IP list the requester gave', async () => {
    await h.submitRequest(alice, { ...valid, ipList: '203.0.113.0/24 office\n198.51.100.7' });
    const request = await h.latestRequest(alice);
    expect(request.ipAccessList).toEqual([
      { source: '203.0.113.0/24', description: 'office' },
      { source: '198.51.100.7' },
    ]);
  });
});

describe('pending requests expire after requestTtl', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('rewrites the message, notes it in the thread, tells the requester, and the buttons go inert', async () => {
    const clock = new ManualClock(new Date());
    h = await Harness.start({ clock });
    await h.submitRequest(alice, valid);
    const request = await h.latestRequest(alice);
    const message = await h.approvalMessage(request.id);
    clock.advance(24 * 3_600_000 + 1);
    await h.keyhouse.sweep();
    expect((await h.store.getRequest(request.id))?.state).toBe('expired');
    const rewritten = h.slack.messages(APPROVAL_CHANNEL).find((m) => m.ts === message.ts);
    expect(JSON.stringify(rewritten?.blocks)).not.toContain(ACTION.approve);
    expect(JSON.stringify(rewritten)).toMatch(/expired/i);
    expect(h.slack.messages(APPROVAL_CHANNEL).some((m) => m.thread_ts === message.ts)).toBe(true);
    expect(h.slack.messages(alice).some((m) => /expired/i.test(JSON.stringify(m)))).toBe(true);

    await h.approve(bob, request.id);
    const refusal = await h.slack.waitFor(() => h.slack.ephemerals().find((e) => e.user === bob));
    expect(JSON.stringify(refusal.body)).toMatch(/expired/i);
    expect(await h.store.listDecisions(request.id)).toEqual([]);
  });
});
