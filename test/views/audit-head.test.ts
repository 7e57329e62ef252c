import { describe, expect, it } from 'vitest';
import { auditHeadMessage } from '../../src/views/audit-head.js';
import { BLOCK } from '../../src/views/ids.js';
import { english } from '../support/words.js';

const notice = {
  seq: 4211,
  hash: '9f2c4e0b7d1a3f5e8c6b2d4a0f1e3c5b7a9d8e6f4c2b0a1d3e5f7a9c8b6d4e2f',
  day: '2026-06-02',
  now: new Date('2026-06-02T00:01:00.000Z'),
};

describe('audit head message', () => {
  it('posts the head and tells the reader to keep it and how to check it', () => {
    const message = auditHeadMessage(english, notice);
    expect(message).toMatchSnapshot();
    const head = `${notice.seq}:${notice.hash}`;
    expect(message.text).toContain(`event 4211, ${head}`);
    expect(message.text).toContain(`npm run audit -- verify --head ${head}`);
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).toContain(`node dist/src/audit/cli.js verify --head ${head}`);
    expect(blocks).toContain('Keep this message');
    expect(message.blocks).toHaveLength(3);
    expect(message.blocks[0]?.block_id).toBe(BLOCK.auditHead);
  });

  it('stays within Slack’s limits', () => {
    const message = auditHeadMessage(english, { ...notice, seq: Number.MAX_SAFE_INTEGER });
    expect(message.text.length).toBeLessThanOrEqual(4000);
    for (const block of message.blocks) {
      const text = block.type === 'section' ? block.text?.text : undefined;
      if (text) expect(text.length).toBeLessThanOrEqual(3000);
    }
  });
});
