import { describe, expect, it } from 'vitest';
import { checkBlocks, checkMessage } from '../../dev/fake-slack/block-kit-limits.js';
import { ACTION, BLOCK } from '../../src/views/ids.js';
import { secretMessage } from '../../src/views/secret-message.js';
import { english } from '../support/words.js';
import { apiKey, REQUEST_ID, secretReveal } from './fixtures.js';

// Never snapshot this message: it holds a secret (product.md §3).
const SECRET = 'sEcReT-4f9a2b7c1d0e8f3a6b5c';

describe('secretMessage', () => {
  const message = secretMessage(english, secretReveal(SECRET));

  it('is an ephemeral answer that leaves the DM in place', () => {
    expect(message.response_type).toBe('ephemeral');
    expect(message.replace_original).toBe(false);
    expect(checkBlocks(message.blocks, 'message')).toEqual([]);
    expect(checkMessage(message as unknown as Record<string, unknown>)).toBeNull();
  });

  it('keeps the secret out of the notification text and puts it in the blocks', () => {
    expect(message.text).not.toContain(SECRET);
    expect(message.text).toBe('Your new ClickHouse key etl-nightly is ready (shown once)');
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).toContain(`\`${SECRET}\``);
    expect(blocks).toContain('`ABCDEFGHIJKLMNOPWXYZ`');
  });

  it('holds name, role, expiry, a curl example and the show-once warning', () => {
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).toContain('*Key ID*');
    expect(blocks).toContain('*Key secret*');
    expect(blocks).toContain('*Name*\\netl-nightly');
    expect(blocks).toContain('*Role*\\nDeveloper (read-only)');
    expect(blocks).toContain(
      '*Expires*\\n<!date^1798380000^{date_short_pretty} {time}|2026-12-27 14:00 UTC> (in 30 days)',
    );
    expect(blocks).toContain(
      `curl --user 'ABCDEFGHIJKLMNOPWXYZ:${SECRET}' https://api.clickhouse.cloud/v1/organizations`,
    );
    expect(blocks).toContain('This secret will not be shown again. Store it now');
  });

  it("offers I've saved it carrying only the request id", () => {
    const actions = message.blocks.find((b) => b.type === 'actions');
    expect(actions).toMatchObject({
      block_id: BLOCK.secretActions,
      elements: [{ type: 'button', action_id: ACTION.dismissSecret, value: REQUEST_ID }],
    });
    expect(JSON.stringify(actions)).toContain("I've saved it");
  });

  it('says never for a key without expiry and trims a trailing slash from the API URL', () => {
    const other = secretMessage(
      english,
      secretReveal(SECRET, { key: apiKey({ expireAt: null }), apiUrl: 'http://127.0.0.1:8123/' }),
    );
    const blocks = JSON.stringify(other.blocks);
    expect(blocks).toContain('*Expires*\\nnever');
    expect(blocks).toContain('http://127.0.0.1:8123/v1/organizations');
  });

  it('escapes the key name in text and blocks', () => {
    const other = secretMessage(english, secretReveal(SECRET, { key: apiKey({ name: '<!here> & co' }) }));
    expect(JSON.stringify(other)).not.toContain('<!here>');
    expect(other.text).toContain('&lt;!here&gt; &amp; co');
  });
});
