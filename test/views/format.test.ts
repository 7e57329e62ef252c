import { describe, expect, it } from 'vitest';
import { clip, clipPlain, fitText, formatInstant, ipListFor, slackDate } from '../../src/views/format.js';
import { english } from '../support/words.js';

describe('formatInstant', () => {
  it('renders minutes in UTC', () => {
    expect(formatInstant(new Date('2026-12-27T14:00:59.999Z'))).toBe('2026-12-27 14:00 UTC');
    expect(formatInstant(new Date('2027-01-02T03:04:00+02:00'))).toBe('2027-01-02 01:04 UTC');
  });

  it('does not throw on an invalid date', () => {
    expect(formatInstant(new Date('nope'))).toBe('an unknown time');
  });
});

describe('slackDate', () => {
  it('is a date token with the plain instant as fallback', () => {
    const d = new Date('2026-12-27T14:00:00.000Z');
    expect(slackDate(d)).toBe(
      `<!date^${d.getTime() / 1000}^{date_short_pretty} {time}|2026-12-27 14:00 UTC>`,
    );
  });
});

describe('clip', () => {
  it('escapes and keeps short text whole', () => {
    expect(clip('a & <b>', 100)).toBe('a &amp; &lt;b&gt;');
  });

  it('cuts long text to the limit without splitting an entity', () => {
    const text = `${'x'.repeat(8)}&&&&`;
    const out = clip(text, 14);
    expect(out.length).toBeLessThanOrEqual(14);
    expect(out).toBe('xxxxxxxx&amp;…');
  });

  it('fits escaped text that grows past the limit', () => {
    const out = clip('&'.repeat(3000), 3000);
    expect(out.length).toBeLessThanOrEqual(3000);
    expect(out.endsWith('&amp;…')).toBe(true);
  });
});

describe('clipPlain', () => {
  it('never cuts an emoji in half', () => {
    const out = clipPlain(`ab${'😀'.repeat(10)}`, 6);
    expect(out).toBe('ab😀…');
    expect(out.length).toBeLessThanOrEqual(6);
  });
});

describe('fitText', () => {
  it('cuts at a word boundary so mentions survive whole', () => {
    const text = `hello <@U0123456789> ${'word '.repeat(10)}`;
    const out = fitText(text, 25);
    expect(out).toBe('hello <@U0123456789>…');
  });
});

describe('ipListFor', () => {
  it('renders source — description, escaped', () => {
    expect(
      ipListFor(
        english,
        [{ source: '10.0.0.0/8', description: 'office & <lab>' }, { source: '0.0.0.0/0' }],
        500,
      ),
    ).toBe('10.0.0.0/8 — office &amp; &lt;lab&gt;\n0.0.0.0/0');
  });

  it('says how many entries did not fit', () => {
    const list = Array.from({ length: 50 }, (_, i) => ({
      source: `10.0.${i}.0/24`,
      description: 'd'.repeat(100),
    }));
    const out = ipListFor(english, list, 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out).toMatch(/… and \d+ more$/);
    const shown = out.split('\n').length - 1;
    expect(out).toContain(`and ${50 - shown} more`);
  });
});
