import type { AnyBlock, Button, HomeView, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkView } from '../../dev/fake-slack/block-kit-limits.js';
import type { HomeData } from '../../src/core/ports.js';
import { homeView } from '../../src/views/home.js';
import { ACTION, keyBlockId } from '../../src/views/ids.js';
import { apiKey, homeData, keyEntries, keyEntry, keyRequest, NOW, REQUEST_ID } from './fixtures.js';

const HOUR = 3_600_000;
const json = (value: unknown) => JSON.stringify(value);

function render(data: Partial<HomeData> = {}, command?: string): HomeView {
  const view = homeView(homeData(data), command ? { command } : {});
  expect(checkView(view)).toEqual([]);
  expect(view.blocks.length).toBeLessThanOrEqual(100);
  return view;
}

const keySections = (blocks: AnyBlock[]): SectionBlock[] =>
  blocks.filter((b): b is SectionBlock => b.type === 'section' && (b.block_id ?? '').startsWith('keys|'));

/** Create key buttons, wherever they sit, as the claim handler sees them. */
const createButtons = (view: HomeView): Button[] =>
  view.blocks.flatMap((b) => {
    const accessory =
      b.type === 'section' ? ((b as SectionBlock).accessory as Button | undefined) : undefined;
    return accessory?.type === 'button' && accessory.action_id === ACTION.createKey ? [accessory] : [];
  });

const request = (id: string, overrides: Parameters<typeof keyRequest>[0] = {}) => ({
  request: keyRequest({ id, keyName: `req-${id}`, ...overrides }),
  roleLabel: 'Developer (read-only)',
});

const approved = (id: string, overrides: Parameters<typeof keyRequest>[0] = {}) =>
  request(id, {
    state: 'approved',
    decidedAt: NOW,
    deadline: new Date(NOW.getTime() + 24 * HOUR),
    ...overrides,
  });

describe('homeView', () => {
  it('is a Home tab with a header, requests, keys and help', () => {
    const view = render();
    expect(view.type).toBe('home');
    expect(view.blocks[0]).toMatchObject({ type: 'header' });
    const all = json(view.blocks);
    expect(all).toContain('*Requests in progress*');
    expect(all).toContain('*etl-nightly* · Developer (read-only)');
    expect(all).toContain('waiting for approval');
    expect(all).toContain('*Your keys* (1)');
    expect(all).toContain('`/chkey list`');
  });

  it('renders keys with the list section: block id for scope mine, page 0, and the overflow menu', () => {
    const view = render();
    const [section] = keySections(view.blocks);
    expect(section?.block_id).toBe(keyBlockId('mine', 0, apiKey().id));
    expect(section?.accessory).toMatchObject({ type: 'overflow', action_id: ACTION.keyMenu });
    expect(json(section)).toContain(`"value":"disable:${apiKey().id}"`);
  });

  it('shows the Create key button only for an approved request before its deadline', () => {
    const view = render({
      requests: [
        request('pending-1'),
        approved('approved-1'),
        request('lapsed-1', { state: 'approved', deadline: new Date(NOW.getTime() - HOUR) }),
        request('creating-1', { state: 'creating' }),
        request('change-1', { state: 'approved', kind: 'change', keySuffix: 'WXYZ' }),
      ],
    });
    const buttons = createButtons(view);
    expect(buttons).toEqual([
      {
        type: 'button',
        action_id: ACTION.createKey,
        text: { type: 'plain_text', text: 'Create key', emoji: true },
        style: 'primary',
        value: 'approved-1',
      },
    ]);
    const all = json(view.blocks);
    expect(all).toContain('being created');
    expect(all).toContain('the time to create it has passed');
    expect(all).toContain('Change to *req-change-1* `…WXYZ`');
  });

  it('puts requests waiting on a click first', () => {
    const view = render({ requests: [request('pending-1'), approved('approved-1')] });
    const texts = view.blocks.map((b) => json(b));
    const at = (name: string) => texts.findIndex((t) => t.includes(`*req-${name}*`));
    expect(at('approved-1')).toBeGreaterThan(-1);
    expect(at('approved-1')).toBeLessThan(at('pending-1'));
  });

  it('tells a user with no keys how to request one, with the configured command', () => {
    const view = render({ keys: [], requests: [] }, '/keys');
    const all = json(view.blocks);
    expect(all).toContain('You have no keys. Request one with `/keys`.');
    expect(all).not.toContain('Requests in progress');
    expect(all).toContain('`/keys list`');
    expect(keySections(view.blocks)).toEqual([]);
  });

  it('escapes the notice and user text', () => {
    const view = render({
      notice: 'Deleted <!channel> (…WXYZ).',
      keys: [keyEntry({ key: apiKey({ name: '<!here>' }) })],
      requests: [request('r', { keyName: '<@U0BOSS>' })],
    });
    expect(json(view)).not.toMatch(/<!channel>|<!here>|<@U0BOSS>/);
    expect(view.blocks[1]).toMatchObject({
      type: 'section',
      text: { text: 'Deleted &lt;!channel&gt; (…WXYZ).' },
    });
  });
});

describe('homeView within 100 blocks', () => {
  it('cuts many keys and requests with a pointer to the list, keeping every Create key button', () => {
    const requests = [
      ...Array.from({ length: 25 }, (_, i) => request(`pending-${i}`)),
      ...Array.from({ length: 5 }, (_, i) => approved(`approved-${i}`)),
    ];
    const keys = keyEntries(200);
    const view = render({ requests, keys, notice: 'Enabled key-001 (…0001).' });
    expect(createButtons(view).map((b) => b.value)).toEqual([0, 1, 2, 3, 4].map((i) => `approved-${i}`));
    const shown = keySections(view.blocks).length;
    expect(shown).toBeGreaterThan(0);
    expect(json(view.blocks)).toContain(`and ${200 - shown} more — use \`/chkey list\``);
    expect(json(view.blocks)).toContain('and 10 more in progress');
    // The keys shown are the first ones, each once.
    expect(keySections(view.blocks).map((s) => s.block_id)).toEqual(
      keys.slice(0, shown).map((e) => keyBlockId('mine', 0, e.key.id)),
    );
  });

  it('shows all keys when they fit and says how many did not when they do not', () => {
    for (let n = 30; n <= 70; n++) {
      const view = render({ keys: keyEntries(n), requests: [approved(REQUEST_ID)] });
      const shown = keySections(view.blocks).length;
      const more = view.blocks.find((b) => json(b).includes('more — use'));
      if (shown === n) {
        expect(more).toBeUndefined();
      } else {
        expect(shown).toBeLessThan(n);
        expect(json(more)).toContain(`and ${n - shown} more`);
        // Cut only because the next key would not fit.
        expect(view.blocks.length + 2).toBeGreaterThan(100);
      }
    }
  });
});

describe('homeView snapshot', () => {
  it('renders requests in each state and a few keys', () => {
    const view = homeView(
      homeData({
        notice: 'Disabled dashboards (…AB12).',
        requests: [
          request('3c1d2e4f-0000-4000-8000-000000000001', { keyName: 'events-reader' }),
          approved('3c1d2e4f-0000-4000-8000-000000000002', { keyName: 'etl-staging' }),
          request('3c1d2e4f-0000-4000-8000-000000000003', { keyName: 'loader', state: 'creating' }),
        ],
        keys: [
          keyEntry(),
          keyEntry({
            key: apiKey({
              id: '1e7b4d6f-2c3a-4d8e-8f90-b1c2d3e4f5a6',
              name: 'dashboards',
              state: 'disabled',
              keySuffix: 'AB12',
              usedAt: new Date(NOW.getTime() - 30 * HOUR).toISOString(),
            }),
          }),
        ],
      }),
    );
    expect(checkView(view)).toEqual([]);
    expect(view).toMatchSnapshot();
  });
});

describe('home for someone who may not request', () => {
  it('offers no request, in the empty key list or the help line; someone who may is offered both', () => {
    const data = homeData({ keys: [], requests: [] });
    const may = json(homeView(data, { command: '/chkey' }));
    expect(may).toContain('Request one with `/chkey`');
    expect(may).toContain('to request a key');
    const mayNot = homeView(data, { command: '/chkey', mayRequest: false });
    expect(checkView(mayNot)).toEqual([]);
    expect(json(mayNot)).not.toContain('Request one');
    expect(json(mayNot)).not.toContain('to request a key');
    expect(json(mayNot)).toContain('You have no keys.');
    expect(json(mayNot)).toContain('`/chkey help` for more');
  });
});
