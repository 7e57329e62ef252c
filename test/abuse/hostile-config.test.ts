import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../dev/fake-slack/index.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { loadPolicy, PolicyError, parsePolicy } from '../../src/policy/index.js';
import { ACTION, BLOCK, CALLBACK, expiryBlockId } from '../../src/views/ids.js';
import { interactionBody, postRaw } from '../support/abuse.js';
import { SIGNING_SECRET } from '../support/keyhouse.js';
import { runMain, startMain } from '../support/main-process.js';
import { stateValue, viewSubmission } from '../support/slack-payloads.js';

/** A policy that loads, to which the cases add their poison. */
const VALID = [
  'approvalChannel: C0APPROVALS',
  'approvers: [U0BOB, U0CAROL]',
  'admins: [U0ADMIN]',
  'roles:',
  '  - { id: developer, label: Developer, grant: { roles: [developer] }, maxExpiry: 90d, approvals: 1 }',
  '',
].join('\n');

/** What a policy text leads to: the document, or the error class and message. */
function parseOutcome(text: string, file: string) {
  try {
    parsePolicy(text, file);
    return { ok: true, error: null, message: '' };
  } catch (error) {
    return { ok: false, error: (error as Error).constructor.name, message: (error as Error).message };
  }
}

/** Nine aliases of nine aliases, nine levels deep: 9^9 "lol"s once expanded. */
function billionLaughs(): string {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${VALID}${lines.join('\n')}\n`;
}

describe('hostile policy files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyhouse-abuse-policy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a YAML bomb (billion laughs) is refused quickly as a policy error naming the file', () => {
    // Bounded by construction, not by a stopwatch (a busy machine makes any time limit a guess): the
    // parser stops at its alias budget, which the message names. A hang would meet the test timeout.
    const outcome = parseOutcome(billionLaughs(), 'bomb.yml');
    expect({ error: outcome.error, namesFile: outcome.message.includes('bomb.yml') }).toEqual({
      error: 'PolicyError',
      namesFile: true,
    });
    expect(outcome.message).toMatch(/alias/i);
  });

  it('`__proto__` keys are unknown fields: they neither provide fields nor pollute prototypes', () => {
    const rolesJson = [
      { id: 'dev', label: 'Dev', grant: { roles: ['developer'] }, maxExpiry: '90d', approvals: 1 },
    ];
    const json = `{"__proto__": {"admins": ["U0EVE"]}, "approvalChannel": "C0APPROVALS", "roles": ${JSON.stringify(rolesJson)}}`;
    const yaml = `${VALID.replace('admins: [U0ADMIN]\n', '')}__proto__: { admins: [U0EVE] }\n`;
    for (const [text, file] of [
      [json, 'proto.json'],
      [yaml, 'proto.yml'],
    ] as const) {
      const outcome = parseOutcome(text, file);
      expect(outcome.error).toBe('PolicyError');
      expect(outcome.message).toContain('admins: is required');
      expect(outcome.message).toContain('__proto__: unknown field');
    }
    expect(({} as { admins?: unknown }).admins).toBeUndefined();
  });

  it.each([
    [
      'JSON',
      '{"approvalChannel":"C0APPROVALS","admins":["U0ADMIN"],"admins":["U0EVE"],"roles":[]}',
      'dup.json',
    ],
    ['YAML', `${VALID}admins: [U0EVE]\n`, 'dup.yml'],
  ])('a duplicate key in %s is refused with its line, not resolved silently', (_, text, file) => {
    const outcome = parseOutcome(text, file);
    expect(outcome.error).toBe('PolicyError');
    expect(outcome.message).toMatch(new RegExp(`${file}: line \\d+, column \\d+: Map keys must be unique`));
  });

  it('a list of 2,000 roles is refused quickly, naming the limit', () => {
    const roles = Array.from(
      { length: 2_000 },
      (_, i) => `  - { id: r${i}, label: R, grant: { roles: [developer] }, maxExpiry: 90d, approvals: 1 }`,
    );
    const outcome = parseOutcome(`${VALID}${roles.join('\n')}\n`, 'roles.yml');
    expect(outcome.message).toContain('roles: must have at most 100 entries');
    // One problem for the list, not one per role past the limit.
    expect(outcome.message.length).toBeLessThan(2_000);
  });

  it('a 10 MB file is refused at once, naming the file and its size', async () => {
    const path = join(dir, 'huge.yml');
    await writeFile(path, `${VALID}junk: "${'x'.repeat(10 * 1024 * 1024)}"\n`);
    const error = await loadPolicy(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toContain(path);
    // Refused for its size before it is parsed at all (a policy is a page of settings).
    expect((error as PolicyError).problems).toEqual(['the file is larger than 1024 kB']);
    // The 10 MB value is not quoted back.
    expect((error as PolicyError).message.length).toBeLessThan(1_000);
  });

  it('binary garbage, as YAML or as JSON, is always a policy error naming the file, never a crash', () => {
    // Bytes, with YAML's own punctuation (anchors, aliases, tags, flow and block markers) made common.
    const punctuation = [...'*&!|>{}[]:,-?#%@`"\'\n\t '].map((c) => c.charCodeAt(0));
    const garbage = fc
      .array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...punctuation)), {
        maxLength: 2_000,
      })
      .map((bytes) => Buffer.from(bytes).toString('latin1'));
    fc.assert(
      fc.property(garbage, fc.constantFrom('garbage.yml', 'garbage.json'), (text, file) => {
        const outcome = parseOutcome(text, file);
        expect(outcome.error).toBe('PolicyError');
        expect(outcome.message.startsWith(`Invalid policy file ${file}: `)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('an alias to no anchor is a policy error naming the file', () => {
    const outcome = parseOutcome(`${VALID}requesters: *nobody\n`, 'alias.yml');
    expect({ error: outcome.error, namesFile: outcome.message.includes('alias.yml') }).toEqual({
      error: 'PolicyError',
      namesFile: true,
    });
  });

  it('a policy path with a NUL or naming a directory is a policy error, not a crash', async () => {
    for (const path of [join(dir, 'p\u0000.yml'), dir]) {
      const error = await loadPolicy(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolicyError);
      expect((error as PolicyError).message).toMatch(/cannot read the file/);
    }
  });
});

describe('hostile environment values', () => {
  const SECRET_VARIABLES = [
    'SLACK_BOT_TOKEN',
    'SLACK_SIGNING_SECRET',
    'SLACK_APP_TOKEN',
    'CLICKHOUSE_KEY_SECRET',
  ];
  const VARIABLES = [
    ...SECRET_VARIABLES,
    'SLACK_API_URL',
    'SLACK_COMMAND',
    'PORT',
    'CLICKHOUSE_API_URL',
    'CLICKHOUSE_KEY_ID',
    'CLICKHOUSE_ORG_ID',
    'DATABASE_URL',
    'KEYHOUSE_POLICY',
    'LOG_LEVEL',
  ];
  const odd = fc.constantFrom(
    '',
    '\u0000',
    '\n',
    '\r\n',
    ' ',
    '\u202E',
    '🙂',
    'xoxb-',
    'postgres://u:',
    'sqlite:',
    '99999',
  );

  it('no value, however odd, is ever repeated in an error; secrets never print from a loaded config', () => {
    const env = fc.record(
      Object.fromEntries(
        VARIABLES.map((name) => [
          name,
          fc.tuple(odd, odd).map(([before, after]) => `${before}MARK-${name}${after}`),
        ]),
      ),
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(env, (values) => {
        try {
          const config = loadConfig(values);
          const printed = `${JSON.stringify(config)} ${inspect(config, { depth: 10 })} ${String(config.slack.botToken)}`;
          for (const name of SECRET_VARIABLES) expect(printed).not.toContain(`MARK-${name}`);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).message).not.toMatch(/MARK-/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each([['99999'], ['-1'], ['0x50'], ['80 80'], ['8\u00000']])(
    'PORT=%j is refused, naming PORT',
    (port) => {
      const error = (() => {
        try {
          loadConfig({
            SLACK_BOT_TOKEN: 'xoxb-1',
            SLACK_SIGNING_SECRET: 's',
            CLICKHOUSE_KEY_ID: 'k',
            CLICKHOUSE_KEY_SECRET: 'kept-private',
            PORT: port,
          });
          return null;
        } catch (e) {
          return e as ConfigError;
        }
      })();
      expect(error?.problems).toEqual(['PORT must be a number between 1 and 65535 (or 0 for any free port)']);
    },
  );
});

// Each case is its own process, with its own fake Slack; they run side by side.
describe.concurrent('starting Keyhouse with hostile files and values', () => {
  let dir: string;
  const secrets = {
    bot: 'xoxb-kept-private-bot',
    signing: 'kept-private-signing',
    clickhouse: 'kept-private-ch',
  };
  const leaked = (text: string) => Object.values(secrets).filter((s) => text.includes(s));

  /** Runs `test` with a fake Slack of its own (so "was Slack contacted" is about this case alone). */
  async function withSlack(test: (slack: FakeSlack, env: Record<string, string>) => Promise<void>) {
    const slack = await startFakeSlack({ botToken: secrets.bot });
    try {
      await test(slack, {
        SLACK_BOT_TOKEN: secrets.bot,
        SLACK_SIGNING_SECRET: secrets.signing,
        SLACK_API_URL: slack.apiUrl,
        CLICKHOUSE_API_URL: 'http://127.0.0.1:9',
        CLICKHOUSE_KEY_ID: 'KEYIDabcd',
        CLICKHOUSE_KEY_SECRET: secrets.clickhouse,
        DATABASE_URL: `sqlite:${join(dir, `keyhouse-${Math.random().toString(36).slice(2)}.db`)}`,
        KEYHOUSE_POLICY: join(dir, 'policy.yml'),
      });
    } finally {
      await slack.close();
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyhouse-abuse-main-'));
    await writeFile(join(dir, 'policy.yml'), VALID);
    await writeFile(join(dir, 'bomb.yml'), billionLaughs());
    await writeFile(
      join(dir, 'brackets.yml'),
      `${VALID}junk: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
    );
    await mkdir(join(dir, 'a-directory'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('refuses to start, with one clear line, before contacting anyone', () => {
    it('a bot token with a newline and PORT=99999: both named, nothing echoed', () =>
      withSlack(async (slack, env) => {
        const result = await runMain(dir, {
          ...env,
          SLACK_BOT_TOKEN: `${secrets.bot}\nsecond-line`,
          PORT: '99999',
        });
        expect({ code: result.code, lines: result.stderr.trim().split('\n').length }).toEqual({
          code: 1,
          lines: 1,
        });
        expect(result.stderr).toContain('SLACK_BOT_TOKEN must be a bot token');
        expect(result.stderr).toContain('PORT must be a number');
        expect(leaked(result.stderr + result.stdout)).toEqual([]);
        expect(slack.calls).toEqual([]);
      }));

    it('a YAML bomb as the policy: the policy file is named', () =>
      withSlack(async (slack, env) => {
        const policy = join(dir, 'bomb.yml');
        const result = await runMain(dir, { ...env, KEYHOUSE_POLICY: policy });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`Invalid policy file ${policy}`);
        expect(leaked(result.stderr + result.stdout)).toEqual([]);
        expect(slack.calls).toEqual([]);
      }));

    it('a policy nested 100,000 levels deep: the file is named and the nesting blamed', () =>
      withSlack(async (slack, env) => {
        const policy = join(dir, 'brackets.yml');
        const result = await runMain(dir, { ...env, KEYHOUSE_POLICY: policy });
        expect(result.code).toBe(1);
        expect(slack.calls).toEqual([]);
        expect(result.stderr).toContain(`Invalid policy file ${policy}`);
        expect(result.stderr.replace(policy, '')).toMatch(/nest|deep/i);
      }));

    it('DATABASE_URL naming a directory: DATABASE_URL is named, and Slack was not contacted first', () =>
      withSlack(async (slack, env) => {
        const result = await runMain(dir, { ...env, DATABASE_URL: `sqlite:${join(dir, 'a-directory')}` });
        expect({
          code: result.code,
          namesIt: /DATABASE_URL|a-directory/.test(result.stderr),
          leaked: leaked(result.stderr + result.stdout),
          slackContacted: slack.calls.map((c) => c.method),
        }).toEqual({ code: 1, namesIt: true, leaked: [], slackContacted: [] });
      }));
  });

  it('a catastrophic keyName.pattern is refused at start, or a long name cannot stall the process', () =>
    withSlack(async (_slack, base) => {
      const policy = join(dir, 'redos.yml');
      await writeFile(policy, `${VALID}keyName: { pattern: "(a+)+$", hint: "Only the letter a." }\n`);
      const env = { ...base, SLACK_SIGNING_SECRET: SIGNING_SECRET, KEYHOUSE_POLICY: policy };
      const running = await startMain(dir, env).catch((error: Error) => error);
      if (running instanceof Error) {
        // Refusing the pattern at start is a fix too: then it must say which field.
        expect(running.message).toMatch(/keyName\.pattern/);
        return;
      }
      try {
        const payload = viewSubmission({
          user: 'U0ALICE',
          callbackId: CALLBACK.requestModal,
          values: {
            [BLOCK.keyName]: { [ACTION.keyNameInput]: `${'a'.repeat(60)}!` },
            [BLOCK.role]: { [ACTION.roleSelect]: stateValue.staticSelect('developer') },
            [expiryBlockId('developer')]: { [ACTION.expirySelect]: stateValue.staticSelect('7d') },
            [BLOCK.reason]: { [ACTION.reasonInput]: 'Reads the events table nightly' },
            [BLOCK.ipList]: { [ACTION.ipListInput]: null },
          },
        });
        const submission = postRaw(running.url, interactionBody(payload, 'long key name'), {
          timeoutMs: 3_000,
        });
        // Asked while the submission is being validated: a stuck event loop answers neither.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const health = await fetch(`${running.url}/healthz`, { signal: AbortSignal.timeout(3_000) }).then(
          (r) => r.status,
          () => null,
        );
        expect({ submission: (await submission).status, health }).toEqual({ submission: 200, health: 200 });
      } finally {
        await running.kill();
      }
    }));
});
