import type { ActionsBlock, Button, KnownBlock, Overflow, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkBlocks, checkMessage } from '../../dev/fake-slack/block-kit-limits.js';
import type { KeyEntry, KeyListing } from '../../src/core/ports.js';
import { ACTION, BLOCK, KEY_VERBS, keyBlockId } from '../../src/views/ids.js';
import { KEYS_PER_PAGE, keyListMessage, pageOf } from '../../src/views/key-list.js';
import { doneText } from '../../src/views/outcomes.js';
import { english } from '../support/words.js';
import { apiKey, keyEntries, keyEntry, keyListing, NOW } from './fixtures.js';

const DAY = 86_400_000;
const KEY_ID = apiKey().id;

function valid(message: { text: string; blocks: KnownBlock[] }): void {
  expect(checkBlocks(message.blocks, 'message')).toEqual([]);
  expect(checkMessage(message as unknown as Record<string, unknown>)).toBeNull();
}

const json = (value: unknown) => JSON.stringify(value);

/** The sections that show keys, by the block id handlers parse. */
const keySections = (blocks: KnownBlock[]): SectionBlock[] =>
  blocks.filter((b): b is SectionBlock => b.type === 'section' && (b.block_id ?? '').startsWith('keys|'));

function sectionOf(blocks: KnownBlock[], scope: string, page: number, keyId: string): SectionBlock {
  const section = blocks.find((b) => b.block_id === keyBlockId(scope, page, keyId));
  expect(section?.type).toBe('section');
  return section as SectionBlock;
}

const menuValues = (section: SectionBlock): string[] | null => {
  const accessory = section.accessory as Overflow | undefined;
  if (!accessory) return null;
  expect(accessory).toMatchObject({ type: 'overflow', action_id: ACTION.keyMenu });
  return accessory.options.map((o) => o.value ?? '');
};

const sectionText = (section: SectionBlock): string => section.text?.text ?? '';

function render(entry: KeyEntry, overrides: Partial<KeyListing> = {}) {
  const message = keyListMessage(english, keyListing({ entries: [entry], ...overrides }));
  valid(message);
  return { message, section: sectionOf(message.blocks, overrides.scope ?? 'mine', 0, entry.key.id) };
}

describe('keyListMessage: one key', () => {
  it('shows every fact of the key and an overflow menu with verb:uuid values', () => {
    const { message, section } = render(keyEntry());
    expect(message.response_type).toBe('ephemeral');
    expect(message.text).toBe('Your ClickHouse keys (1)');
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Your ClickHouse keys' } });
    expect(menuValues(section)).toEqual([`disable:${KEY_ID}`, `edit:${KEY_ID}`, `delete:${KEY_ID}`]);
    for (const value of menuValues(section) ?? []) {
      const [verb, id] = value.split(':');
      expect(KEY_VERBS).toContain(verb);
      expect(id).toBe(KEY_ID);
    }
    const accessory = section.accessory as Overflow;
    expect(accessory.options.map((o) => o.text.text)).toEqual(['Disable', 'Edit', 'Delete']);
    const text = sectionText(section);
    expect(text).toContain('*etl-nightly* `…WXYZ`');
    expect(text).toContain('Developer (read-only) · enabled · expires <!date^');
    expect(text).toContain('|2026-12-27 14:00 UTC> (in 30 days)');
    expect(text).toContain('owner <@U0REQUESTER>');
    expect(text).toContain('never used');
    expect(message.blocks.some((b) => b.block_id === BLOCK.listNav)).toBe(false);
    expect(json(message.blocks)).toContain('"text":"1 key"');
  });

  it('never puts a confirm on the menu (Slack would apply it to every option)', () => {
    const { section } = render(keyEntry());
    expect(json(section)).not.toContain('confirm');
  });

  it('offers Enable instead of Disable for a disabled key', () => {
    const { section } = render(keyEntry({ key: apiKey({ state: 'disabled' }) }));
    expect(menuValues(section)).toEqual([`enable:${KEY_ID}`, `edit:${KEY_ID}`, `delete:${KEY_ID}`]);
    expect(sectionText(section)).toContain('⏸️ *disabled*');
  });

  const cases: [KeyEntry['can'], string[] | null][] = [
    [{ toggle: true, edit: true, delete: true }, ['disable', 'edit', 'delete']],
    [{ toggle: true, edit: false, delete: true }, ['disable', 'delete']],
    [{ toggle: false, edit: true, delete: true }, ['edit', 'delete']],
    [{ toggle: true, edit: true, delete: false }, ['disable', 'edit']],
    [{ toggle: true, edit: false, delete: false }, null],
    [{ toggle: false, edit: false, delete: true }, null],
    [{ toggle: false, edit: false, delete: false }, null],
  ];
  it.each(cases)('with can %o offers %o', (can, verbs) => {
    const { section } = render(keyEntry({ can }));
    const expected = verbs === null ? null : verbs.map((v) => `${v}:${KEY_ID}`);
    expect(menuValues(section)).toEqual(expected);
    // Below Slack's minimum of two options there is no menu and nothing in its place.
    if (verbs === null) expect(section.accessory).toBeUndefined();
  });

  it("marks Keyhouse's own key and offers no actions on it, whatever `can` says", () => {
    const { section } = render(keyEntry({ self: true, ownerId: null }), { scope: 'all' });
    expect(section.accessory).toBeUndefined();
    expect(sectionText(section)).toContain("Keyhouse's own key");
    expect(sectionText(section)).not.toContain('created outside Keyhouse');
  });

  it('says "created outside Keyhouse" for a key without an owner', () => {
    const { section } = render(keyEntry({ ownerId: null }), { scope: 'all' });
    expect(sectionText(section)).toContain('created outside Keyhouse');
    expect(sectionText(section)).not.toContain('<@');
  });

  it('flags an expired key clearly, and says never for no expiry', () => {
    const past = new Date(NOW.getTime() - 3 * DAY).toISOString();
    const expired = render(keyEntry({ expired: true, key: apiKey({ expireAt: past }) })).section;
    expect(sectionText(expired)).toContain('⚠️ *expired* <!date^');
    expect(sectionText(expired)).toContain('(3 days ago)');
    expect(sectionText(expired)).not.toContain('expires');

    const never = render(keyEntry({ key: apiKey({ expireAt: null }) })).section;
    expect(sectionText(never)).toContain('never expires');
    expect(sectionText(never)).not.toContain('expired');
  });

  it('shows when the key was last used', () => {
    const used = new Date(NOW.getTime() - 2 * DAY).toISOString();
    const { section } = render(keyEntry({ key: apiKey({ usedAt: used }) }));
    expect(sectionText(section)).toMatch(
      /last used <!date\^\d+\^[^|]+\|2026-11-25 14:00 UTC> \(2 days ago\)/,
    );
    expect(sectionText(section)).not.toContain('never used');
  });

  it('escapes user text: key name, role label and notice ping nobody', () => {
    const notice = doneText(english, {
      code: 'state_changed',
      key: { name: '<!everyone>', suffix: 'WXYZ' },
      state: 'disabled',
      already: false,
    });
    const { message } = render(
      keyEntry({ key: apiKey({ name: '<!channel> & <@U0BOSS>' }), roleLabel: '<!here> role' }),
      { notice },
    );
    const all = json(message);
    expect(all).not.toMatch(/<!channel>|<!here>|<!everyone>|<@U0BOSS>/);
    expect(all).toContain('&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;');
    expect(message.text).toContain('Disabled &lt;!everyone&gt;');
  });

  it('shows a notice with a person in it as a mention that works, and its date as a token', () => {
    const reassigned = doneText(english, {
      code: 'reassigned',
      key: { name: 'etl-nightly', suffix: 'WXYZ' },
      to: 'U0NEWOWNER',
    });
    const { message } = render(keyEntry(), { notice: reassigned });
    expect(message.blocks[1]).toMatchObject({
      type: 'section',
      text: { text: 'etl-nightly (…WXYZ) now belongs to <@U0NEWOWNER>.' },
    });
    const extended = doneText(english, {
      code: 'expiry_set',
      keyName: 'etl',
      expireAt: new Date(NOW.getTime() + DAY),
    });
    const dated = render(keyEntry(), { notice: extended }).message;
    expect(JSON.stringify(dated.blocks[1])).toMatch(/now expires <!date\^\d+\^/);
    // Notifications show `text` raw: the date is its UTC fallback there.
    expect(dated.text).toContain('etl now expires 2026-11-28 14:00 UTC.');
  });

  it('shows the notice above the keys and in the text', () => {
    const { message } = render(keyEntry(), { notice: 'Disabled etl-nightly (…WXYZ).' });
    expect(message.blocks[1]).toMatchObject({
      type: 'section',
      text: { text: 'Disabled etl-nightly (…WXYZ).' },
    });
    expect(message.text).toBe('Disabled etl-nightly (…WXYZ). — Your ClickHouse keys (1)');
  });

  it('titles the organization-wide list', () => {
    const message = keyListMessage(english, keyListing({ scope: 'all', entries: keyEntries(3), total: 3 }));
    valid(message);
    expect(message.text).toBe('All ClickHouse keys (3)');
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: 'All ClickHouse keys' } });
    expect(keySections(message.blocks).map((s) => s.block_id?.split('|')[1])).toEqual(['all', 'all', 'all']);
  });
});

describe('keyListMessage: empty', () => {
  it('tells a user with no keys how to request one, with the configured command', () => {
    const message = keyListMessage(english, keyListing({ entries: [], total: 0 }), { command: '/keys' });
    valid(message);
    expect(json(message.blocks)).toContain('You have no keys. Request one with `/keys`.');
    expect(keySections(message.blocks)).toEqual([]);
    expect(keyListMessage(english, keyListing({ entries: [], total: 0 })).blocks[1]).toMatchObject({
      text: { text: 'You have no keys. Request one with `/chkey`.' },
    });
  });

  it('says so plainly for an organization with no keys', () => {
    const message = keyListMessage(english, keyListing({ scope: 'all', entries: [], total: 0 }));
    valid(message);
    expect(json(message.blocks)).toContain('There are no API keys in this organization.');
  });
});

describe('pageOf', () => {
  const items = Array.from({ length: 45 }, (_, i) => i);

  it('slices pages of KEYS_PER_PAGE and counts them', () => {
    expect(pageOf(items, 0)).toEqual({ items: items.slice(0, KEYS_PER_PAGE), page: 0, pageCount: 3 });
    expect(pageOf(items, 2).items).toEqual(items.slice(2 * KEYS_PER_PAGE));
  });

  it('clamps pages out of range and non-integers', () => {
    expect(pageOf(items, -1).page).toBe(0);
    expect(pageOf(items, 99)).toMatchObject({ page: 2, pageCount: 3 });
    expect(pageOf(items, Number.NaN).page).toBe(0);
    expect(pageOf(items, 1.7).page).toBe(1);
    expect(pageOf([], 3)).toEqual({ items: [], page: 0, pageCount: 1 });
  });
});

describe('keyListMessage: 100 keys, paged', () => {
  const all = keyEntries(100);
  const pages = Array.from({ length: 5 }, (_, page) => {
    const slice = pageOf(all, page);
    return keyListMessage(english, {
      scope: 'all',
      viewerId: 'U0ADMIN',
      entries: slice.items,
      page: slice.page,
      pageCount: slice.pageCount,
      total: all.length,
      now: NOW,
      notice: 'Deleted key-042 (…0042).',
    });
  });

  it('has five pages, each a valid message within 50 blocks', () => {
    expect(pageOf(all, 0).pageCount).toBe(5);
    for (const message of pages) {
      valid(message);
      expect(message.blocks.length).toBeLessThanOrEqual(50);
    }
  });

  it('shows every key on exactly one page, with the page in its block id', () => {
    const seen = pages.flatMap((message, page) =>
      keySections(message.blocks).map((s) => {
        const [, scope, blockPage, keyId] = (s.block_id ?? '').split('|');
        expect(scope).toBe('all');
        expect(Number(blockPage)).toBe(page);
        return keyId;
      }),
    );
    expect(seen).toHaveLength(100);
    expect(new Set(seen)).toEqual(new Set(all.map((e) => e.key.id)));
  });

  it('pages with Previous/Next carrying scope:page, only where there is somewhere to go', () => {
    const nav = (page: number) => {
      const block = pages[page]?.blocks.find((b) => b.block_id === BLOCK.listNav) as ActionsBlock;
      expect(block.type).toBe('actions');
      return (block.elements as Button[]).map((b) => {
        // Two buttons in one block need two action_ids (Slack refuses duplicates).
        expect(b.action_id).toBe(b.text.text === 'Next' ? ACTION.listPage : ACTION.listPagePrevious);
        return [b.text.text, b.value];
      });
    };
    expect(nav(0)).toEqual([['Next', 'all:1']]);
    expect(nav(2)).toEqual([
      ['Previous', 'all:1'],
      ['Next', 'all:3'],
    ]);
    expect(nav(4)).toEqual([['Previous', 'all:3']]);
  });

  it('says which page of how many, in the blocks and the text', () => {
    expect(json(pages[1]?.blocks)).toContain('Page 2 of 5 · 100 keys');
    expect(pages[1]?.text).toBe('Deleted key-042 (…0042). — All ClickHouse keys (100) — page 2 of 5');
  });

  it('keeps a full page of worst-case keys within Slack limits', () => {
    const long = keyEntries(KEYS_PER_PAGE, {
      roleLabel: 'r&<'.repeat(200),
      ownerId: 'U0REQUESTER',
    }).map((e, i) => ({
      ...e,
      key: { ...e.key, name: `${'<&>'.repeat(300)}${i}`, usedAt: NOW.toISOString() },
    }));
    const message = keyListMessage(
      english,
      keyListing({ entries: long, page: 3, pageCount: 9, total: 170, notice: '&'.repeat(5000) }),
    );
    valid(message);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });
});

describe('keyListMessage snapshot', () => {
  it('renders a page of varied keys', () => {
    const entries = [
      keyEntry(),
      keyEntry({
        key: apiKey({
          id: '1e7b4d6f-2c3a-4d8e-8f90-b1c2d3e4f5a6',
          name: 'dashboards',
          state: 'disabled',
          keySuffix: 'AB12',
          usedAt: new Date(NOW.getTime() - 5 * DAY).toISOString(),
        }),
        ownerId: 'U0OTHER',
      }),
      keyEntry({
        key: apiKey({
          id: '2f8c5e70-3d4b-4e9f-9a01-c2d3e4f5a6b7',
          name: 'legacy-loader',
          keySuffix: 'QQ99',
          expireAt: new Date(NOW.getTime() - 10 * DAY).toISOString(),
        }),
        ownerId: null,
        expired: true,
        roleLabel: 'developer',
      }),
      keyEntry({
        key: apiKey({
          id: '3a9d6f81-4e5c-4fa0-ab12-d3e4f5a6b7c8',
          name: 'keyhouse-admin',
          keySuffix: 'KH00',
        }),
        ownerId: null,
        self: true,
        roleLabel: 'admin',
        can: { toggle: false, edit: false, delete: false },
      }),
    ];
    const message = keyListMessage(
      english,
      keyListing({
        scope: 'all',
        entries,
        page: 1,
        pageCount: 3,
        total: 44,
        notice: 'Enabled dashboards (…AB12).',
      }),
    );
    valid(message);
    expect(message).toMatchSnapshot();
  });
});
