/**
 * Slack's mrkdwn as a Slack client shows it, turned into safe HTML: `*bold*`, `_italic_`,
 * `~strike~`, `` `code` ``, ```` ```blocks``` ````, `>` quotes, `<url|links>`, `<@U…>` mentions as
 * names, `<#C…>` channels, `<!here>`, and `<!date^…>` tokens formatted (in UTC, the demo people's
 * time zone). Everything else is text: the app's `&amp;` `&lt;` `&gt;` are decoded, then all of it
 * is HTML-escaped, so nothing an app or a user wrote can become markup in the page.
 */

export interface Names {
  user(id: string): string;
  channel(id: string): string;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Slack's three entities; any other `&…;` is text. */
function decodeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** A `<!date^SECONDS^FORMAT|fallback>` token's text, in UTC; `now` decides today/tomorrow. */
export function formatSlackDate(seconds: number, format: string, now: Date): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  const month = MONTHS[d.getUTCMonth()] ?? '';
  const dayOfMonth = d.getUTCDate();
  const year = d.getUTCFullYear();
  const dayDiff = Math.round(
    (Date.UTC(year, d.getUTCMonth(), dayOfMonth) -
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) /
      86_400_000,
  );
  const pretty = dayDiff === 0 ? 'today' : dayDiff === 1 ? 'tomorrow' : dayDiff === -1 ? 'yesterday' : null;
  const short = `${month.slice(0, 3)} ${dayOfMonth}, ${year}`;
  const long = `${DAYS[d.getUTCDay()] ?? ''}, ${month} ${ordinal(dayOfMonth)}, ${year}`;
  const tokens: Record<string, string> = {
    date_num: `${year}-${pad(d.getUTCMonth() + 1)}-${pad(dayOfMonth)}`,
    date: `${month} ${ordinal(dayOfMonth)}, ${year}`,
    date_short: short,
    date_long: long,
    date_pretty: pretty ?? `${month} ${ordinal(dayOfMonth)}, ${year}`,
    date_short_pretty: pretty ?? short,
    date_long_pretty: pretty ?? long,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
    time_secs: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
  return format.replace(/\{(\w+)\}/g, (whole, name: string) => tokens[name] ?? whole);
}

/** One `<…>` token as HTML. */
function special(inner: string, names: Names, now: Date): string {
  const [target = '', label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `<span class="mention">@${escapeHtml(names.user(id))}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return `<span class="mention">#${escapeHtml(label ?? names.channel(id))}</span>`;
  }
  if (target.startsWith('!date^')) {
    const [, seconds = '', format = ''] = target.split('^');
    const text = formatSlackDate(Number(seconds), format, now);
    const shown = text === '' ? decodeSlack(label ?? '') : text;
    return `<time title="${escapeHtml(decodeSlack(label ?? ''))}">${escapeHtml(shown)}</time>`;
  }
  if (target.startsWith('!subteam^')) {
    return `<span class="mention">${escapeHtml(decodeSlack(label ?? target.slice(9)))}</span>`;
  }
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const url = decodeSlack(target);
  const text = escapeHtml(decodeSlack(label ?? target));
  if (!/^(https?:|mailto:)/i.test(url)) return text;
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${text}</a>`;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** Bold, italic and strike in already-escaped text, where Slack would see them (at word edges). */
function emphasis(html: string): string {
  const edge = (mark: string) =>
    new RegExp(
      `(^|[\\s(\\[>])\\${mark}([^\\${mark}\\n]*[^\\s\\${mark}])\\${mark}(?=$|[\\s.,;:!?)\\]<])`,
      'g',
    );
  return html
    .replace(edge('*'), '$1<b>$2</b>')
    .replace(edge('_'), '$1<i>$2</i>')
    .replace(edge('~'), '$1<s>$2</s>');
}

/** Text that is not code: tokens first (their insides are not formatted), then emphasis. */
function inline(text: string, names: Names, now: Date): string {
  const parts: string[] = [];
  let out = '';
  let last = 0;
  for (const match of text.matchAll(/<([^<>\n]+)>/g)) {
    out += escapeHtml(decodeSlack(text.slice(last, match.index)));
    parts.push(special(match[1] ?? '', names, now));
    out += `\uE000${parts.length - 1}\uE000`;
    last = (match.index ?? 0) + match[0].length;
  }
  out += escapeHtml(decodeSlack(text.slice(last)));
  return emphasis(out).replace(/\uE000(\d+)\uE000/g, (_, i: string) => parts[Number(i)] ?? '');
}

/** A line run outside code blocks: inline code spans are left unformatted. */
function lines(text: string, names: Names, now: Date): string {
  const rendered = text.split('\n').map((line) => {
    const quote = /^&gt;\s?|^>\s?/.exec(line);
    const body = quote ? line.slice(quote[0].length) : line;
    const html = body
      .split(/(`[^`\n]+`)/)
      .map((piece) =>
        piece.length > 2 && piece.startsWith('`') && piece.endsWith('`')
          ? `<code>${escapeHtml(decodeSlack(piece.slice(1, -1)))}</code>`
          : inline(piece, names, now),
      )
      .join('');
    return quote ? `<span class="quote">${html}</span>` : html;
  });
  return rendered.join('<br>');
}

/** A mrkdwn text object's HTML. */
export function mrkdwn(text: string, names: Names, now: Date): string {
  return text
    .split(/(```[\s\S]*?```)/)
    .map((piece) =>
      piece.length >= 6 && piece.startsWith('```') && piece.endsWith('```')
        ? `<pre>${escapeHtml(decodeSlack(piece.slice(3, -3).replace(/^\n/, '')))}</pre>`
        : lines(piece, names, now),
    )
    .join('');
}

/** A text object (`plain_text` or `mrkdwn`) as HTML; plain text is only escaped. */
export function textObject(value: unknown, names: Names, now: Date): string {
  if (typeof value !== 'object' || value === null) return '';
  const { type, text } = value as { type?: unknown; text?: unknown };
  if (typeof text !== 'string') return '';
  return type === 'mrkdwn' ? mrkdwn(text, names, now) : escapeHtml(text).replace(/\n/g, '<br>');
}
