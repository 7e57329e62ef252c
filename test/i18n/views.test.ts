/**
 * The views speak only from the catalogs (product.md §14, issue #20 item 9):
 *
 * - every text a person reads came from a catalog: rendered with messages that mark their own
 *   text, nothing but user data, mentions, emoji and punctuation is left outside the marks;
 * - no plain_text field holds markup, which Slack would show raw (`*`, backticks, `<…>`);
 * - every surface stays within Block Kit's limits in every language, with the longest values;
 * - every renderer of a view module is among those rendered here.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkMessage, checkView } from '../../dev/fake-slack/block-kit-limits.js';
import { LOCALES } from '../../src/core/locale.js';
import type { Messages } from '../../src/i18n/index.js';
import { words } from '../support/words.js';
import {
  type Data,
  dataStrings,
  EVERYDAY,
  LONGEST,
  NOT_CONVERTED,
  NOT_VIEWS,
  RENDERINGS,
  type Rendered,
  VIEW_MODULES,
} from './renderings.js';

const OPEN = '\u2045';
const CLOSE = '\u2046';

/** Messages whose every text is wrapped in marks, so what a view wrote itself stands out. */
function marking(m: Messages): Messages {
  return { ...m, t: (id, values) => `${OPEN}${m.t(id, values)}${CLOSE}` };
}

/** Every text a person reads in a rendering: the fallback `text` and every text object's. */
function textsOf(
  rendered: Rendered,
): { path: string; type: 'plain_text' | 'mrkdwn' | 'text'; text: string }[] {
  if (rendered.kind === 'line') return [{ path: '', type: 'text', text: rendered.body }];
  const out: { path: string; type: 'plain_text' | 'mrkdwn' | 'text'; text: string }[] = [];
  const body = rendered.body as { text?: unknown };
  if (typeof body.text === 'string') out.push({ path: '/text', type: 'text', text: body.text });
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) walk(child, `${path}/${i}`);
    } else if (node !== null && typeof node === 'object') {
      const object = node as { type?: unknown; text?: unknown };
      if ((object.type === 'plain_text' || object.type === 'mrkdwn') && typeof object.text === 'string') {
        out.push({ path, type: object.type, text: object.text });
      }
      for (const [key, child] of Object.entries(node)) walk(child, `${path}/${key}`);
    }
  };
  walk(rendered.body, '');
  return out;
}

/** What is left of a text once the catalogs' marked texts, the data and Slack's own tokens are taken out. */
function outsideCatalogs(text: string, data: Data): string {
  let rest = text;
  const innermost = new RegExp(`${OPEN}[^${OPEN}${CLOSE}]*${CLOSE}`, 'g');
  while (innermost.test(rest)) rest = rest.replace(innermost, ' ');
  // Longest first: a short value (a suffix) must not cut a longer one that holds it (a Key ID).
  const values = dataStrings(data).sort((a, b) => b.length - a.length);
  for (const value of values) rest = rest.split(value).join(' ');
  return rest
    .replace(/<[@#!][^>]*>/g, ' ') // mentions, channel links, date tokens
    .replace(/:[a-z0-9_+-]+:/g, ' '); // emoji
}

const LETTERS = /[A-Za-z\u3131-\u318e\uac00-\ud7a3]/;

function renderAll(m: Messages, data: Data): { name: string; rendered: Rendered }[] {
  return Object.entries(RENDERINGS).flatMap(([name, cases]) =>
    cases(m, data).map((rendered) => ({ name, rendered })),
  );
}

describe('the views speak only from the catalogs', () => {
  for (const locale of LOCALES) {
    it(`${locale}: every text comes from a catalog`, () => {
      const problems: string[] = [];
      for (const { name, rendered } of renderAll(marking(words(locale)), EVERYDAY)) {
        for (const { path, text } of textsOf(rendered)) {
          const rest = outsideCatalogs(text, EVERYDAY);
          if (LETTERS.test(rest)) problems.push(`${name} ${path}: "${rest.trim()}" is not from a catalog`);
        }
      }
      expect(problems).toEqual([]);
    });

    it(`${locale}: no plain_text holds markup Slack would show raw`, () => {
      const problems: string[] = [];
      for (const { name, rendered } of renderAll(words(locale), EVERYDAY)) {
        for (const { path, type, text } of textsOf(rendered)) {
          if (type === 'plain_text' && /[*`]|<[@#!]|<https?:/.test(text))
            problems.push(`${name} ${path}: ${text}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it(`${locale}: every surface is within Block Kit's limits with the longest values`, () => {
      const problems: string[] = [];
      for (const data of [EVERYDAY, LONGEST]) {
        for (const { name, rendered } of renderAll(words(locale), data)) {
          if (rendered.kind === 'message') {
            const rejection = checkMessage(rendered.body as Record<string, unknown>);
            if (rejection) problems.push(`${name}: ${rejection.error} ${rejection.messages.join('; ')}`);
          } else if (rendered.kind === 'modal' || rendered.kind === 'home') {
            problems.push(...checkView(rendered.body).map((p) => `${name}: ${p}`));
          } else if (rendered.body.length > 2000) {
            problems.push(`${name}: a line of ${rendered.body.length} characters`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('renders every renderer the view modules export, and knows every view module', async () => {
    const modules = (await readdir(new URL('../../src/views/', import.meta.url)))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.slice(0, -3));
    expect(
      modules.filter((name) => !(name in VIEW_MODULES) && ![...NOT_VIEWS, ...NOT_CONVERTED].includes(name)),
    ).toEqual([]);
    const missing: string[] = [];
    for (const [file, notRenderers] of Object.entries(VIEW_MODULES)) {
      const module = (await import(`../../src/views/${file}.ts`)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        if (typeof value === 'function' && !notRenderers.includes(name) && !(name in RENDERINGS)) {
          missing.push(`${file}: ${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('finds a text written outside the catalogs', () => {
    const rendered: Rendered = {
      kind: 'message',
      body: { text: `${OPEN}Deleted${CLOSE} etl-nightly for good` },
    };
    expect(outsideCatalogs(textsOf(rendered)[0]?.text ?? '', EVERYDAY)).toMatch(LETTERS);
  });
});
