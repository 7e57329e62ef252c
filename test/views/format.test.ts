import { describe, expect, it } from 'vitest';
import {
  clip,
  clipPlain,
  expiresAtLine,
  expiryLine,
  fitText,
  formatInstant,
  ipListLines,
  relativeDays,
  slackDate,
} from '../../src/views/format.js';

const at = new Date('2026-11-27T14:00:00.000Z');
const plus = (ms: number) => new Date(at.getTime() + ms);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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

describe('relativeDays', () => {
  it.each([
    [30 * DAY, 'in 30 days'],
    [DAY, 'in 1 day'],
    [5 * HOUR, 'in 5 hours'],
    [HOUR, 'in 1 hour'],
    [90_000, 'in 2 minutes'],
    [10_000, 'in 1 minute'],
    [-3 * DAY, '3 days ago'],
  ])('%d ms → %s', (ms, words) => {
    expect(relativeDays(at, plus(ms))).toBe(words);
  });
});

describe('expiryLine', () => {
  it('counts from creation and shows the instant if created now', () => {
    expect(expiryLine('30d', at)).toBe(
      '30 days from creation (until about 2026-12-27 14:00 UTC if created now)',
    );
    expect(expiryLine('12h', at)).toBe(
      '12 hours from creation (until about 2026-11-28 02:00 UTC if created now)',
    );
  });

  it('says never for never', () => {
    expect(expiryLine('never', at)).toBe('never expires');
  });

  it('shows an unknown expiry escaped, as given', () => {
    expect(expiryLine('<!here>', at)).toBe('&lt;!here&gt;');
  });
});

describe('expiresAtLine', () => {
  it('gives the instant and the distance', () => {
    expect(expiresAtLine(plus(7 * DAY), at)).toBe('2026-12-04 14:00 UTC (in 7 days)');
    expect(expiresAtLine(null, at)).toBe('never');
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

describe('ipListLines', () => {
  it('renders source — description, escaped', () => {
    expect(
      ipListLines([{ source: '10.0.0.0/8', description: 'office & <lab>' }, { source: '0.0.0.0/0' }], 500),
    ).toBe('10.0.0.0/8 — office &amp; &lt;lab&gt;\n0.0.0.0/0');
  });

  it('says how many entries did not fit', () => {
    const list = Array.from({ length: 50 }, (_, i) => ({
      source: `10.0.${i}.0/24`,
      description: 'd'.repeat(100),
    }));
    const out = ipListLines(list, 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out).toMatch(/… and \d+ more$/);
    const shown = out.split('\n').length - 1;
    expect(out).toContain(`and ${50 - shown} more`);
  });
});
