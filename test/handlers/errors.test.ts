/**
 * Errors are told to people in catalog words only (product.md §14, issue 21): an error's own
 * `message` is English for the log, and whatever reaches a person — the error handler's notice, a
 * modal's failure, a dialog's field error, all through `describeError` — is the error's words, its
 * code's sentence, or a refusal's words, in the reader's language.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { ClickHouseApiError } from '../../src/core/api-errors.js';
import { DestinationError } from '../../src/core/delivery-ports.js';
import { KEYHOUSE_ERROR_CODES, KeyhouseError, Refused } from '../../src/core/errors.js';
import { LOCALES, type Reader, type Readers } from '../../src/core/locale.js';
import { GitHubApiError } from '../../src/github/errors.js';
import { createErrorHandler, describeError } from '../../src/handlers/errors.js';
import { Catalog, errorSaying, type Messages, TRANSLATIONS } from '../../src/i18n/index.js';
import { PolicyError } from '../../src/policy/load.js';
import { VaultApiError } from '../../src/vault/errors.js';
import { refusalText } from '../../src/views/outcomes.js';
import { capturingLogger } from '../support/logs.js';
import { words } from '../support/words.js';

/** Program text an error carries for the log; a person must never read it. */
const PROGRAM = 'the attempt lost its lease before the reveal';
const HANGUL = /[\uac00-\ud7a3]/;

const call = { method: 'POST', route: '/v1/organizations/{organizationId}/keys' };

/** One error of every kind Keyhouse throws, none with words of its own. */
const WORDLESS: Record<string, () => KeyhouseError> = {
  ...Object.fromEntries(KEYHOUSE_ERROR_CODES.map((code) => [code, () => new KeyhouseError(code, PROGRAM)])),
  ClickHouseApiError: () =>
    new ClickHouseApiError({ ...call, status: 500, requestId: 'r-1', serverMessage: PROGRAM }),
  GitHubApiError: () =>
    new GitHubApiError({
      method: 'PUT',
      route: '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
      status: 403,
      requestId: 'g-1',
      serverMessage: PROGRAM,
    }),
  VaultApiError: () =>
    new VaultApiError({
      method: 'POST',
      route: '/v1/{mount}/data/{path}',
      operation: 'kv-v2-write',
      status: 403,
      serverMessages: [PROGRAM],
    }),
  DestinationError: () => new DestinationError('vault-prod', PROGRAM),
  PolicyError: () => new PolicyError('policy.yml', [PROGRAM]),
  ConfigError: () => new ConfigError([PROGRAM]),
};

/** Every message of the errors area, filled as describeError fills it: what a wordless error may read. */
function errorSentences(m: Messages, reference: string): string[] {
  return Object.keys(TRANSLATIONS.en.errors).map((key) =>
    m.t(`errors.${key}` as never, { command: '/chkey', reference }),
  );
}

/** What Bolt hands `app.error` for an error a listener threw. */
function wrappedByBolt(error: Error): Error {
  return Object.assign(new Error('An unhandled error occurred while Bolt processed an event'), {
    code: 'slack_bolt_unknown_error',
    original: error,
  });
}

describe('describeError', () => {
  for (const locale of LOCALES) {
    const m = words(locale, locale === 'ko' ? 'Asia/Seoul' : 'UTC');

    it(`${locale}: an error without words reads as its code's catalog sentence, with a reference`, () => {
      for (const [kind, make] of Object.entries(WORDLESS)) {
        for (const error of [make(), wrappedByBolt(make())]) {
          const { text, reference } = describeError(m, error);
          expect(reference, kind).toMatch(/^[0-9A-F]{8}$/);
          expect(errorSentences(m, reference ?? ''), kind).toContain(text);
          expect(text, kind).not.toContain(PROGRAM);
          expect(text, kind).not.toContain(error.message);
          if (locale === 'ko') expect(text, kind).toMatch(HANGUL);
        }
      }
    });

    it(`${locale}: each code has its own sentence; an unknown failure, Keyhouse's generic one`, () => {
      const said = new Map<string, string>();
      for (const code of KEYHOUSE_ERROR_CODES) {
        const { text, reference } = describeError(m, new KeyhouseError(code, PROGRAM));
        said.set(code, text.replace(reference ?? '', 'REF'));
      }
      // The codes a person can act on are told apart; setup failures all read "something went wrong".
      const spoken = KEYHOUSE_ERROR_CODES.filter(
        (c) => !['config_invalid', 'policy_invalid', 'internal'].includes(c),
      );
      expect(new Set(spoken.map((c) => said.get(c))).size).toBe(spoken.length);
      const wentWrong = m.t('errors.wentWrong', { reference: 'REF' });
      expect(said.get('internal')).toBe(wentWrong);
      const plain = describeError(m, new Error(PROGRAM));
      expect(plain.text).toBe(m.t('errors.wentWrong', { reference: plain.reference ?? '' }));
      expect(said.get('upstream_failed')).toBe(
        m.t('errors.notConfirmed', { command: '/chkey', reference: 'REF' }),
      );
      expect(said.get('audit_failed')).toBe(m.t('errors.auditFailed', { reference: 'REF' }));
    });

    it(`${locale}: an error with words reads as them, in the reader's language, without a reference`, () => {
      const gone = describeError(m, wrappedByBolt(errorSaying('not_found', 'keyDialogs.buttonGone')));
      expect(gone).toEqual({ text: m.t('keyDialogs.buttonGone'), reference: null });
      const ask = describeError(m, errorSaying('not_allowed', 'notices.notAllowed', { admins: '<@U0DANA>' }));
      expect(ask.text).toBe(m.t('notices.notAllowed', { admins: '<@U0DANA>' }));
      expect(ask.text).toContain('<@U0DANA>');
      expect(describeError(m, errorSaying('invalid_input', 'errors.noResponseUrl'), '/keys').text).toBe(
        m.t('errors.noResponseUrl', { command: '/keys' }),
      );
      if (locale === 'ko') expect(gone.text).toMatch(HANGUL);
    });

    it(`${locale}: words naming no catalog message fall back to the code's sentence`, () => {
      const crafted = new KeyhouseError('not_found', PROGRAM, { words: { id: 'nowhere.atAll' } });
      const { text, reference } = describeError(m, crafted);
      expect(text).toBe(m.t('errors.notFound', { reference: reference ?? '' }));
    });

    it(`${locale}: a refusal reads as the views put it`, () => {
      const refusal = { code: 'keys_limit', owned: 20, limit: 20 } as const;
      expect(describeError(m, new Refused(refusal))).toEqual({
        text: refusalText(m, refusal),
        reference: null,
      });
    });
  }

  it('the log keeps the English message; the person reads the words', () => {
    const error = errorSaying('not_found', 'approval.requestGone');
    expect(error.message).toBe('not_found: approval.requestGone');
    expect(describeError(words('ko'), error).text).toBe(words('ko').t('approval.requestGone'));
  });
});

describe('the error handler', () => {
  const korean: Reader = { locale: 'ko', timeZone: 'Asia/Seoul' };
  const readers: Readers = {
    of: async () => korean,
    now: () => korean,
    heard: () => {},
  };

  async function handle(error: Error) {
    const { logger, lines } = capturingLogger('info');
    const posted: { url: string; body: { text: string } }[] = [];
    const handler = createErrorHandler({
      logger,
      client: {} as never,
      catalog: new Catalog(),
      readers,
      fetch: async (url, init) => {
        posted.push({ url: String(url), body: JSON.parse(String(init?.body)) });
        return new Response('ok');
      },
    });
    await handler({
      error: wrappedByBolt(error),
      body: { user: { id: 'U0ALICE' }, response_url: 'https://hooks.slack.test/r/1' },
    });
    return { posted, log: lines.join('') };
  }

  it('tells a Korean reader a wordless error in Korean, and logs its English message under the reference', async () => {
    const { posted, log } = await handle(new KeyhouseError('conflict', PROGRAM));
    expect(posted).toHaveLength(1);
    const text = posted[0]?.body.text ?? '';
    expect(text).toMatch(HANGUL);
    expect(text).not.toContain(PROGRAM);
    const reference = /참조 ID: ([0-9A-F]{8})/.exec(text)?.[1];
    expect(reference).toBeDefined();
    expect(log).toContain(reference);
    expect(log).toContain(PROGRAM);
  });

  it('tells a Korean reader an error with words in Korean, and logs the English message', async () => {
    const { posted, log } = await handle(errorSaying('not_found', 'keyDialogs.menuGone'));
    expect(posted[0]?.body.text).toContain(words('ko').t('keyDialogs.menuGone'));
    expect(log).toContain('not_found: keyDialogs.menuGone');
    expect(log).not.toContain(words('ko').t('keyDialogs.menuGone'));
  });
});

/** Every TypeScript file under src/, with its path from the repository. */
async function sources(dir = 'src'): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts')) out.push({ path, text: await readFile(path, 'utf8') });
  }
  return out;
}

/** Each `new <Something>Error(…)` / `new Refused(…)` in a file: its class, its arguments' source, its line. */
function constructions(text: string): { name: string; args: string; line: number }[] {
  const out: { name: string; args: string; line: number }[] = [];
  const start = /new\s+(\w*Error|Refused)\s*\(/g;
  for (let match = start.exec(text); match; match = start.exec(text)) {
    let depth = 1;
    let i = start.lastIndex;
    while (i < text.length && depth > 0) {
      if (text[i] === '(') depth += 1;
      else if (text[i] === ')') depth -= 1;
      i += 1;
    }
    out.push({
      name: match[1] ?? '',
      args: text.slice(start.lastIndex, i - 1),
      line: text.slice(0, match.index).split('\n').length,
    });
  }
  return out;
}

describe('throw sites (source check)', () => {
  it('no error is built from catalog text: a person’s words travel as a message id', async () => {
    const problems: string[] = [];
    for (const { path, text } of await sources()) {
      for (const { name, args, line } of constructions(text)) {
        // `m.t(…)`, `words.t(…)`, `wordsNow(…).t(…)`, or a rendered view's `.text`.
        if (/\.t\(|\)\.text\b/.test(args)) problems.push(`${path}:${line}: new ${name}(${args.trim()})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('handlers throw what a person may read with words (errorSaying); a bare KeyhouseError only as internal', async () => {
    const problems: string[] = [];
    for (const { path, text } of await sources('src/handlers')) {
      for (const { name, args, line } of constructions(text)) {
        if (name === 'KeyhouseError' && !/^\s*'internal'/.test(args))
          problems.push(`${path}:${line}: new KeyhouseError(${args.trim()})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('finds what it looks for', () => {
    const found = constructions(
      "throw new KeyhouseError('not_found', m.t('keyDialogs.buttonGone'));\nnew ConfigError([x(1)]);",
    );
    expect(found).toEqual([
      { name: 'KeyhouseError', args: "'not_found', m.t('keyDialogs.buttonGone')", line: 1 },
      { name: 'ConfigError', args: '[x(1)]', line: 2 },
    ]);
    expect(/\.t\(/.test(found[0]?.args ?? '')).toBe(true);
  });
});
