import { describe, expect, it } from 'vitest';
import {
  checkBlocks,
  checkMessage,
  checkView,
  BLOCK_KIT_LIMITS as L,
} from '../../dev/fake-slack/block-kit-limits.js';

const section = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'section',
  text: { type: 'mrkdwn', text },
  ...extra,
});
const button = (extra: Record<string, unknown> = {}) => ({
  type: 'button',
  action_id: 'go',
  text: { type: 'plain_text', text: 'Go' },
  ...extra,
});
const option = (value: string, text = value) => ({ text: { type: 'plain_text', text }, value });
const actions = (...elements: unknown[]) => ({ type: 'actions', elements });
const modal = (extra: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Request a key' },
  blocks: [],
  ...extra,
});

/** Each case is valid at the limit and invalid one past it, so the checker is neither too lax nor too strict. */
const boundaries: {
  name: string;
  at: (n: number) => unknown[];
  limit: number;
  surface?: 'message' | 'modal';
}[] = [
  {
    name: 'blocks in a message',
    at: (n) => Array.from({ length: n }, () => ({ type: 'divider' })),
    limit: 50,
  },
  {
    name: 'blocks in a modal',
    at: (n) => Array.from({ length: n }, () => ({ type: 'divider' })),
    limit: 100,
    surface: 'modal',
  },
  { name: 'section text', at: (n) => [section('x'.repeat(n))], limit: L.text },
  {
    name: 'header text',
    at: (n) => [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(n) } }],
    limit: 150,
  },
  {
    name: 'button text',
    at: (n) => [actions(button({ text: { type: 'plain_text', text: 'b'.repeat(n) } }))],
    limit: 75,
  },
  { name: 'button value', at: (n) => [actions(button({ value: 'v'.repeat(n) }))], limit: 2000 },
  {
    name: 'option value',
    at: (n) => [actions({ type: 'static_select', action_id: 's', options: [option('v'.repeat(n), 'ok')] })],
    limit: 75,
  },
  {
    name: 'option text',
    at: (n) => [actions({ type: 'static_select', action_id: 's', options: [option('v', 't'.repeat(n))] })],
    limit: 75,
  },
  {
    name: 'static_select options',
    at: (n) => [
      actions({
        type: 'static_select',
        action_id: 's',
        options: Array.from({ length: n }, (_, i) => option(`o${i}`)),
      }),
    ],
    limit: 100,
  },
  {
    name: 'overflow options',
    at: (n) => [
      actions({
        type: 'overflow',
        action_id: 'o',
        options: Array.from({ length: n }, (_, i) => option(`o${i}`)),
      }),
    ],
    limit: 5,
  },
  {
    name: 'actions elements',
    at: (n) => [actions(...Array.from({ length: n }, (_, i) => button({ action_id: `b${i}` })))],
    limit: 25,
  },
  {
    name: 'context elements',
    at: (n) => [
      { type: 'context', elements: Array.from({ length: n }, () => ({ type: 'mrkdwn', text: 'c' })) },
    ],
    limit: 10,
  },
  { name: 'block_id', at: (n) => [{ type: 'divider', block_id: 'i'.repeat(n) }], limit: 255 },
  { name: 'action_id', at: (n) => [actions(button({ action_id: 'a'.repeat(n) }))], limit: 255 },
  {
    name: 'input label',
    at: (n) => [
      {
        type: 'input',
        label: { type: 'plain_text', text: 'l'.repeat(n) },
        element: { type: 'plain_text_input', action_id: 'v' },
      },
    ],
    limit: 2000,
  },
];

describe('checkBlocks limits', () => {
  for (const { name, at, limit, surface = 'message' } of boundaries) {
    it(`${name}: ${limit} passes, ${limit + 1} fails`, () => {
      expect(checkBlocks(at(limit), surface)).toEqual([]);
      const problems = checkBlocks(at(limit + 1), surface);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/\[json-pointer:\/blocks[^\]]*\]$/);
    });
  }

  it('needs at least two overflow options', () => {
    expect(
      checkBlocks([actions({ type: 'overflow', action_id: 'o', options: [option('a')] })], 'message'),
    ).toEqual(['must have at least 2 options (got 1) [json-pointer:/blocks/0/elements/0/options]']);
  });

  it('applies confirm dialog limits and requires all four texts', () => {
    const confirm = {
      title: { type: 'plain_text', text: 't'.repeat(100) },
      text: { type: 'plain_text', text: 'x'.repeat(300) },
      confirm: { type: 'plain_text', text: 'c'.repeat(30) },
      deny: { type: 'plain_text', text: 'd'.repeat(30) },
    };
    expect(checkBlocks([actions(button({ confirm }))], 'message')).toEqual([]);
    const over = { ...confirm, title: { type: 'plain_text', text: 't'.repeat(101) }, deny: undefined };
    expect(checkBlocks([actions(button({ confirm: over }))], 'message')).toEqual([
      'must be at most 100 characters (got 101) [json-pointer:/blocks/0/elements/0/confirm/title/text]',
      'is required [json-pointer:/blocks/0/elements/0/confirm/deny]',
    ]);
  });

  it('rejects duplicate block_ids, empty text, unknown blocks and misplaced elements', () => {
    const problems = checkBlocks(
      [
        { type: 'divider', block_id: 'same' },
        section('', { block_id: 'same' }),
        { type: 'carousel' },
        actions({ type: 'plain_text_input', action_id: 'x' }),
      ],
      'message',
    );
    expect(problems).toEqual([
      "duplicate block_id 'same' (first at /blocks/0) [json-pointer:/blocks/1/block_id]",
      'must be at least 1 characters (got 0) [json-pointer:/blocks/1/text/text]',
      'unknown block type "carousel" [json-pointer:/blocks/2/type]',
      'element type "plain_text_input" is not allowed here [json-pointer:/blocks/3/elements/0/type]',
    ]);
  });

  it('rejects two elements with one action_id in a block, as Slack does, but not across blocks', () => {
    const page = (value: string) => button({ action_id: 'page', value });
    expect(checkBlocks([actions(page('0'), page('2'))], 'message')).toEqual([
      "duplicate action_id 'page' in one block (first at elements/0) [json-pointer:/blocks/0/elements/1/action_id]",
    ]);
    expect(checkBlocks([actions(page('0')), actions(page('2'))], 'message')).toEqual([]);
  });

  it('requires an initial option to be one of the options', () => {
    const select = { type: 'static_select', action_id: 's', options: [option('a'), option('b')] };
    expect(checkBlocks([actions({ ...select, initial_option: option('b') })], 'message')).toEqual([]);
    expect(checkBlocks([actions({ ...select, initial_option: option('c') })], 'message')).toEqual([
      'must match one of the options [json-pointer:/blocks/0/elements/0/initial_option]',
    ]);
  });
});

describe('checkView', () => {
  it('accepts a typical request modal', () => {
    const view = modal({
      callback_id: 'request',
      private_metadata: 'm'.repeat(L.view.privateMetadata),
      submit: { type: 'plain_text', text: 'Request' },
      blocks: [
        {
          type: 'input',
          block_id: 'name',
          label: { type: 'plain_text', text: 'Key name' },
          element: { type: 'plain_text_input', action_id: 'v' },
        },
      ],
    });
    expect(checkView(view)).toEqual([]);
  });

  it('limits title, submit, close to 24, private_metadata to 3000, callback_id to 255', () => {
    const view = modal({
      title: { type: 'plain_text', text: 't'.repeat(25) },
      submit: { type: 'plain_text', text: 's'.repeat(25) },
      close: { type: 'plain_text', text: 'c'.repeat(25) },
      private_metadata: 'm'.repeat(3001),
      callback_id: 'c'.repeat(256),
    });
    expect(checkView(view).map((problem) => problem.replace(/^.*\[json-pointer:(.*)\]$/, '$1'))).toEqual([
      '/view/title/text',
      '/view/close/text',
      '/view/submit/text',
      '/view/private_metadata',
      '/view/callback_id',
    ]);
  });

  it('requires submit when there is an input block', () => {
    const input = {
      type: 'input',
      label: { type: 'plain_text', text: 'Reason' },
      element: { type: 'plain_text_input', action_id: 'v' },
    };
    expect(checkView(modal({ blocks: [input] }))).toEqual([
      'is required when the view has input blocks [json-pointer:/view/submit]',
    ]);
  });

  it('allows 100 blocks on a Home tab and no title there', () => {
    const blocks = Array.from({ length: 100 }, () => ({ type: 'divider' }));
    expect(checkView({ type: 'home', blocks })).toEqual([]);
    expect(checkView({ type: 'home', blocks: [...blocks, { type: 'divider' }] })).toHaveLength(1);
  });
});

describe('checkMessage', () => {
  it('requires top-level text alongside blocks', () => {
    expect(checkMessage({ blocks: [section('hi')] })?.error).toBe('no_text');
    expect(checkMessage({ text: 'hi', blocks: [section('hi')] })).toBeNull();
    expect(checkMessage({})?.error).toBe('no_text');
  });

  it('answers msg_too_long past 40,000 characters of text', () => {
    expect(checkMessage({ text: 'x'.repeat(L.messageText) })).toBeNull();
    expect(checkMessage({ text: 'x'.repeat(L.messageText + 1) })?.error).toBe('msg_too_long');
  });

  it('answers invalid_blocks with the block problems', () => {
    expect(checkMessage({ text: 'hi', blocks: [section('x'.repeat(3001))] })).toEqual({
      error: 'invalid_blocks',
      messages: ['must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]'],
    });
  });
});
