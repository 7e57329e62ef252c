/**
 * What a person meets first is answered by what they may do: someone who may not request is never
 * offered a request (help, an empty list), admins are shown `review` and `audit`, and `/chkey audit`
 * takes a person in each form Slack may send, never reading a typed `@name` as a key name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, testPolicy, USERS } from '../support/keyhouse.js';

const { alice, bob, admin, eve } = USERS;

describe('answers by what each person may do', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('someone who may not request: help offers no request and says whom to ask; an empty list offers none', async () => {
    h = await Harness.start({ policy: testPolicy({ requesters: [bob] }) });
    const help = JSON.stringify(await h.answer(eve, 'help'));
    expect(help).not.toContain('/chkey request');
    expect(help).toContain('You may not request API keys');
    expect(help).toContain(`<@${admin}>`);
    expect(help).not.toContain('/chkey review');

    const list = JSON.stringify(await h.answer(eve, 'list'));
    expect(list).toContain('You have no keys.');
    expect(list).not.toContain('Request one');

    // Someone who may: the same list offers it.
    expect(JSON.stringify(await h.answer(bob, 'list'))).toContain('Request one with');
  });

  it('an unknown word is answered with the usage of what that person may do', async () => {
    h = await Harness.start({ policy: testPolicy({ requesters: [bob] }) });
    const usage = JSON.stringify(await h.answer(eve, 'frobnicate'));
    expect(usage).toContain("I don't know");
    expect(usage).not.toContain('/chkey request');
  });

  it('help lists review and audit for admins only', async () => {
    h = await Harness.start();
    const forAdmin = JSON.stringify(await h.answer(admin, 'help'));
    expect(forAdmin).toContain('`/chkey review`');
    expect(forAdmin).toContain('`/chkey audit`');
    expect(forAdmin).toContain('`/chkey request`');
    const forAlice = JSON.stringify(await h.answer(alice, 'help'));
    expect(forAlice).toContain('`/chkey request`');
    expect(forAlice).not.toContain('/chkey review');
    expect(forAlice).not.toContain('/chkey audit');
  });

  it('/chkey audit takes <@U…|name> and <@U…>; a typed @name is asked about, never read as a key name', async () => {
    h = await Harness.start();
    await h.submitRequest(eve, {
      keyName: 'eve-key',
      roleId: 'developer',
      expiry: '30d',
      reason: 'something else entirely',
    });
    await h.latestRequest(eve);
    await h.quiet();

    for (const form of [`<@${eve}|eve>`, `<@${eve}>`]) {
      expect(JSON.stringify(await h.answer(admin, `audit ${form}`)), form).toContain('eve-key');
    }
    const typed = await h.answer(admin, 'audit @eve');
    expect(String(typed.text)).toContain("I can't tell who *@eve* is");
    expect(typed.blocks).toBeUndefined();
    // Nobody but an admin learns anything, however the person was written.
    expect(String((await h.answer(alice, 'audit @eve')).text)).toMatch(/Only Keyhouse admins/);
  });

  it('a role needing more approvals than the approver groups hold is a warning at start', async () => {
    h = await Harness.start({
      policy: testPolicy({
        approvers: ['S0APPROVERS'],
        roles: [{ id: 'admin', label: 'Admin', grant: { roles: ['admin'] }, maxExpiry: '7d', approvals: 3 }],
      }),
      slack: { usergroups: { S0APPROVERS: [bob, USERS.carol] } },
    });
    const warning = await h.slack.waitFor(
      () => h.logs.split('\n').find((line) => line.includes('"side":"policy"')),
      { message: 'the warning about role admin' },
    );
    const parsed = JSON.parse(warning) as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: 40, role: 'admin', approvals: 3, approvers: 2 });
    expect(String(parsed.msg)).toContain('can never be approved');
  });

  it('a list the budget holds back: "waiting for ClickHouse, about N s" at once, then the list replaces it', async () => {
    // 4 requests per 6 s: 2 per person. Every list asks ClickHouse (no cache).
    h = await Harness.start({ budget: { requests: 4, windowMs: 6_000 }, keyListTtlMs: 0 });
    await h.quiet();
    // Lists until her share is used (a list costs her one or two requests): then the answer waits.
    let waited: { ack: { text?: string; response_type?: string }; responseUrl: string } | null = null;
    for (let i = 0; i < 3 && waited === null; i++) {
      const { response, responseUrl } = await h.command(alice, 'list');
      if (response.json) {
        waited = { ack: response.json as { text?: string }, responseUrl };
        break;
      }
      await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id)), {
        message: `list ${i + 1}`,
      });
    }
    expect(waited).not.toBeNull();
    const { ack, responseUrl } = waited!;
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toMatch(/^⏳ Waiting for ClickHouse .*: about \d+ seconds\./);
    const seconds = Number(/about (\d+) seconds/.exec(ack.text ?? '')?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(2);
    expect(seconds).toBeLessThanOrEqual(7);
    const replaced = await h.slack.waitFor(
      () => h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id)),
      { message: 'the list replacing the wait' },
    );
    expect(replaced.body).toMatchObject({ replace_original: true, response_type: 'ephemeral' });
    expect(JSON.stringify(replaced.body)).toContain('Your ClickHouse keys');
  });
});
