import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abuse,
  answerProblem,
  assertAbuse,
  commandBody,
  expectNoProblems,
  postRaw,
  programmingErrors,
  settle,
  useAbuseWorld,
} from '../support/abuse.js';
import { hostileCommand } from '../support/arbitraries.js';
import { USERS } from '../support/keyhouse.js';
import { slashCommand } from '../support/slack-payloads.js';

describe('hostile /chkey commands', () => {
  const suite = useAbuseWorld();

  it('are answered within 3 s, change nothing, only read ClickHouse and show no secret', async () => {
    const command = hostileCommand(suite.mintResponseUrl, suite.mintTrigger);
    await assertAbuse(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 6 }), async (bodies) => {
        expectNoProblems(await abuse(suite.world, suite.state, bodies));
      }),
      { numRuns: 25 },
    );
  });

  /** `/chkey` from Eve as Slack posts it, with some fields changed or removed. */
  function form(changes: Record<string, string | string[] | undefined>) {
    const fields: Record<string, string | string[]> = {
      ...(slashCommand({
        user_id: USERS.eve,
        response_url: suite.mintResponseUrl(),
        trigger_id: suite.mintTrigger(),
      }) as unknown as Record<string, string>),
    };
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) delete fields[name];
      else fields[name] = value;
    }
    return commandBody(fields, 'slash command');
  }

  it('a /chkey with fields missing or repeated is answered within 3 s, without a crash', async () => {
    const logsBefore = suite.h.logs.length;
    const malformed: Record<string, Record<string, string | string[] | undefined>> = {
      'no text field': { text: undefined },
      'the text field twice': { text: ['list', 'all'] },
      'list without a response_url': { text: 'list', response_url: undefined },
    };
    // Sent together: each one Keyhouse fails to acknowledge costs Bolt's 3 s timeout.
    const answers = await Promise.all(
      Object.entries(malformed).map(async ([label, changes]) => {
        const body = form(changes);
        return [label, answerProblem(body, await postRaw(suite.h.url, body))] as const;
      }),
    );
    await settle(suite.h);
    expect({
      answers: Object.fromEntries(answers),
      crashes: programmingErrors(suite.h.logs.slice(logsBefore)),
    }).toEqual({
      answers: Object.fromEntries(Object.keys(malformed).map((label) => [label, null])),
      crashes: [],
    });
  });

  it('`/chkey list constructor` quotes the word it does not know, not the known `list`', async () => {
    const answer = await postRaw(suite.h.url, form({ text: 'list constructor' }));
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.body) as { text: string }).text).toContain('constructor');
  });

  it('`/chkey list all` from Eve is refused in words and reads nothing from ClickHouse', async () => {
    const responseUrl = suite.mintResponseUrl();
    const before = suite.h.clickhouse.requests.length;
    const answer = await postRaw(suite.h.url, form({ text: 'list all', response_url: responseUrl }));
    expect(answer.status).toBe(200);
    const told = await suite.h.slack.waitFor(() =>
      suite.h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id)),
    );
    expect(JSON.stringify(told.body)).toMatch(/only approvers and admins/i);
    expect(suite.h.clickhouse.requests.slice(before)).toEqual([]);
  });
});
