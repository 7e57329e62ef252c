import { describe, expect, it } from 'vitest';
import { formatSlackDate, mrkdwn, type Names } from '../../dev/playground/mrkdwn.js';
import type { PlaygroundPeople } from '../../dev/playground/people.js';
import { renderBlocks } from '../../dev/playground/render.js';
import { stateValues } from '../../dev/playground/slack-side.js';

const names: Names = {
  user: (id) => ({ U0ALICE: 'Alice Ahmed' })[id] ?? id,
  channel: (id) => ({ C0APPROVALS: 'key-approvals' })[id] ?? id,
};
const now = new Date('2026-12-03T12:00:00Z');
const md = (text: string) => mrkdwn(text, names, now);
const ctx = { names, now, people: [{ id: 'U0ALICE', name: 'Alice Ahmed' }] };
const people: PlaygroundPeople = {
  people: [{ id: 'U0ALICE', name: 'Alice Ahmed', part: 'requester' }],
  usergroups: {},
  channels: [],
  general: 'C0GENERAL',
};

describe('mrkdwn as a Slack client shows it', () => {
  it('formats bold, italic, strike, code, code blocks and quotes', () => {
    expect(md('*bold* _it_ ~gone~ `a_b*c`')).toBe('<b>bold</b> <i>it</i> <s>gone</s> <code>a_b*c</code>');
    expect(md('```line *1*\nline 2```')).toBe('<pre>line *1*\nline 2</pre>');
    expect(md('&gt; quoted')).toBe('<span class="quote">quoted</span>');
    // Marks inside words are text, as in Slack.
    expect(md('key_name_here and 2*3*4')).toBe('key_name_here and 2*3*4');
  });

  it('shows mentions as names, channels by name, links as links, and dates formatted', () => {
    expect(md('<@U0ALICE> in <#C0APPROVALS>')).toBe(
      '<span class="mention">@Alice Ahmed</span> in <span class="mention">#key-approvals</span>',
    );
    expect(md('<https://example.com/a?b=1&amp;c=2|the docs>')).toBe(
      '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the docs</a>',
    );
    const seconds = Date.UTC(2026, 11, 4, 14, 5) / 1000;
    expect(md(`<!date^${seconds}^{date_short_pretty} {time}|2026-12-04 14:05 UTC>`)).toBe(
      '<time title="2026-12-04 14:05 UTC">tomorrow 14:05</time>',
    );
    expect(formatSlackDate(seconds, '{date_long} {date_num}', now)).toBe(
      'Friday, December 4th, 2026 2026-12-04',
    );
  });

  it('writes a date token in the reader’s time zone and language once they switched', () => {
    // 14:05 UTC on Dec 4 is 23:05 in Seoul, the same day; 16:00 UTC is 01:00 on Dec 5 there.
    const seconds = Date.UTC(2026, 11, 4, 14, 5) / 1000;
    const seoul = { locale: 'ko-KR', timeZone: 'Asia/Seoul' };
    expect(formatSlackDate(seconds, '{date_short_pretty} {time}', now, seoul)).toBe('내일 23:05');
    expect(formatSlackDate(seconds, '{date_long} {date_num}', now, seoul)).toBe(
      '2026년 12월 4일 금요일 2026-12-04',
    );
    const later = Date.UTC(2026, 11, 4, 16, 0) / 1000;
    expect(formatSlackDate(later, '{date_short} {time}', now, seoul)).toBe('2026년 12월 5일 01:00');
    const newYork = { locale: 'en-US', timeZone: 'America/New_York' };
    expect(formatSlackDate(seconds, '{date_short} {time}', now, newYork)).toBe('Dec 4, 2026 09:05');
  });

  it('never turns text into markup: entities stay text, scripts and javascript: links are inert', () => {
    expect(md('&lt;script&gt;alert(1)&lt;/script&gt; "x" \'y\'')).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot; &#39;y&#39;',
    );
    expect(md('<javascript:alert(1)|click>')).toBe('click');
    expect(md('<https://x.test/"onmouseover="alert(1)|x>')).toContain(
      'href="https://x.test/&quot;onmouseover',
    );
  });
});

describe('Block Kit as HTML', () => {
  it('renders every block Keyhouse sends, with ids on what can act', () => {
    const html = renderBlocks(
      [
        { type: 'header', text: { type: 'plain_text', text: 'Your <keys>' } },
        { type: 'divider' },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '*ctx*' }] },
        {
          type: 'section',
          block_id: 'k1',
          text: { type: 'mrkdwn', text: 'a key' },
          fields: [{ type: 'mrkdwn', text: '*Role*\ndev' }],
          accessory: {
            type: 'overflow',
            action_id: 'menu',
            options: [
              { text: { type: 'plain_text', text: 'Disable' }, value: 'disable:1' },
              { text: { type: 'plain_text', text: 'Delete' }, value: 'delete:1' },
            ],
          },
        },
        {
          type: 'actions',
          block_id: 'decision',
          elements: [
            {
              type: 'button',
              action_id: 'ok',
              text: { type: 'plain_text', text: 'Approve' },
              style: 'primary',
            },
            {
              type: 'button',
              action_id: 'no',
              text: { type: 'plain_text', text: 'Deny' },
              style: 'danger',
              confirm: {
                title: { type: 'plain_text', text: 'Sure?' },
                text: { type: 'mrkdwn', text: '*really*' },
                confirm: { type: 'plain_text', text: 'Yes' },
                deny: { type: 'plain_text', text: 'No' },
              },
            },
          ],
        },
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'hi ', style: { bold: true } },
                { type: 'user', user_id: 'U0ALICE' },
              ],
            },
          ],
        },
      ],
      ctx,
    );
    expect(html).toContain('<h3 class="block header" data-block="pg-block-0">Your &lt;keys&gt;</h3>');
    expect(html).toContain('<hr class="block divider"');
    expect(html).toContain('<span><b>ctx</b></span>');
    expect(html).toContain(
      'data-act="overflow" data-block="k1" data-action="menu" data-value="delete:1">Delete',
    );
    expect(html).toContain('class="btn primary" data-act="button" data-block="decision" data-action="ok"');
    expect(html).toMatch(/class="btn danger"[^>]*data-confirm="[^"]*Sure\?[^"]*&lt;b&gt;really&lt;\/b&gt;/);
    expect(html).toContain('<b>hi </b><span class="mention">@Alice Ahmed</span>');
  });

  it('renders inputs with their values, errors, optional marks and dispatch', () => {
    const blocks = [
      {
        type: 'input',
        block_id: 'role',
        dispatch_action: true,
        label: { type: 'plain_text', text: 'Role' },
        element: {
          type: 'static_select',
          action_id: 'r',
          options: [
            { text: { type: 'plain_text', text: 'Dev' }, value: 'dev' },
            { text: { type: 'plain_text', text: 'Admin' }, value: 'admin' },
          ],
          initial_option: { text: { type: 'plain_text', text: 'Admin' }, value: 'admin' },
        },
      },
      {
        type: 'input',
        block_id: 'reason',
        optional: true,
        label: { type: 'plain_text', text: 'Reason' },
        element: { type: 'plain_text_input', action_id: 't', multiline: true, max_length: 20 },
      },
      {
        type: 'input',
        block_id: 'when',
        label: { type: 'plain_text', text: 'When' },
        element: { type: 'datepicker', action_id: 'd', initial_date: '2026-12-24' },
      },
      {
        type: 'input',
        block_id: 'who',
        label: { type: 'plain_text', text: 'Who' },
        element: { type: 'users_select', action_id: 'u' },
      },
      {
        type: 'input',
        block_id: 'how',
        label: { type: 'plain_text', text: 'How' },
        element: {
          type: 'radio_buttons',
          action_id: 'h',
          options: [{ text: { type: 'plain_text', text: 'Fast' }, value: 'fast' }],
        },
      },
    ];
    const html = renderBlocks(blocks, {
      ...ctx,
      errors: { reason: 'Too <short>' },
      values: { reason: { t: 'typed </textarea>' } },
    });
    expect(html).toContain('data-block="role" data-action="r" data-dispatch="1"');
    expect(html).toContain('<option value="admin" selected>Admin</option>');
    expect(html).toContain('Reason <span class="optional">(optional)</span>');
    expect(html).toContain(
      '<textarea rows="3" data-act="text" data-input="1" data-block="reason" data-action="t" maxlength="20">typed &lt;/textarea&gt;</textarea>',
    );
    expect(html).toContain('<div class="error" role="alert">Too &lt;short&gt;</div>');
    expect(html).toContain(
      'type="date" data-act="date" data-input="1" data-block="when" data-action="d" value="2026-12-24"',
    );
    expect(html).toContain('<option value="U0ALICE">Alice Ahmed</option>');
    expect(html).toContain('type="radio" name="r-how-h" value="fast"');
    // Inputs that do not dispatch only hold a value.
    expect(html).not.toContain('data-block="when" data-action="d" data-dispatch');
  });
});

describe('view.state.values as Slack sends them', () => {
  it('holds every input, with null for what is empty and options copied from the view', () => {
    const view = {
      blocks: [
        { type: 'input', block_id: 'name', element: { type: 'plain_text_input', action_id: 'n' } },
        {
          type: 'input',
          block_id: 'role',
          element: {
            type: 'static_select',
            action_id: 'r',
            options: [{ text: { type: 'plain_text', text: 'Dev' }, value: 'dev' }],
          },
        },
        { type: 'input', block_id: 'who', element: { type: 'users_select', action_id: 'u' } },
        { type: 'input', block_id: 'day', element: { type: 'datepicker', action_id: 'd' } },
        { type: 'section', text: { type: 'plain_text', text: 'not an input' } },
      ],
    };
    expect(
      stateValues(view, { name: { n: '' }, role: { r: 'forged' }, who: { u: 'U0NOBODY' } }, people),
    ).toEqual({
      name: { n: { type: 'plain_text_input', value: null } },
      role: { r: { type: 'static_select', selected_option: null } },
      who: { u: { type: 'users_select', selected_user: null } },
      day: { d: { type: 'datepicker', selected_date: null } },
    });
    expect(
      stateValues(view, { role: { r: 'dev' }, who: { u: 'U0ALICE' }, day: { d: '2026-12-24' } }, people),
    ).toMatchObject({
      role: { r: { selected_option: { text: { type: 'plain_text', text: 'Dev' }, value: 'dev' } } },
      who: { u: { selected_user: 'U0ALICE' } },
      day: { d: { selected_date: '2026-12-24' } },
    });
  });
});
