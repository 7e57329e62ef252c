/** The playground escapes a command's text as Slack does with `should_escape: true` (manifest.yml). */
import { describe, expect, it } from 'vitest';
import { escapeCommandText } from '../../dev/playground/escape.js';
import type { PlaygroundPeople } from '../../dev/playground/people.js';

const people: PlaygroundPeople = {
  people: [
    { id: 'U0ALICE', name: 'Alice Ahmed', part: 'requester' },
    { id: 'U0DANA', name: 'Dana Diaz', part: 'admin' },
  ],
  usergroups: {},
  channels: [{ id: 'C0APPROVALS', name: 'key-approvals' }],
  general: 'C0APPROVALS',
};

describe('escapeCommandText', () => {
  it.each([
    ['audit @alice', 'audit <@U0ALICE|alice>'],
    ['audit @Alice', 'audit <@U0ALICE|alice>'],
    ['@dana and @alice', '<@U0DANA|dana> and <@U0ALICE|alice>'],
    ['see #key-approvals', 'see <#C0APPROVALS|key-approvals>'],
    ['@here', '<!here>'],
    ['audit @mallory', 'audit @mallory'],
    ['audit dev-etl', 'audit dev-etl'],
    ['a<b>&c', 'a&lt;b&gt;&amp;c'],
    ['mail alice@alice.test', 'mail alice@alice.test'],
    ['<@U0DANA>', '&lt;@U0DANA&gt;'],
  ])('%s → %s', (typed, sent) => {
    expect(escapeCommandText(typed, people)).toBe(sent);
  });
});
