/**
 * Slack's mrkdwn as a Slack client shows it, turned into safe HTML: `*bold*`, `_italic_`,
 * `~strike~`, `` `code` ``, ```` ```blocks``` ````, `>` quotes, `<url|links>`, `<@U…>` mentions as
 * names, `<#C…>` channels, `<!here>`, and `<!date^…>` tokens formatted in the reader's time zone
 * and language (UTC and English unless they switched). Everything else is text: the app's
 * `&amp;` `&lt;` `&gt;` are decoded, then all of it is HTML-escaped, so nothing an app or a user
 * wrote can become markup in the page.
 */

export interface Names {
  user(id: string): string;
  channel(id: string): string;
  /** Whose client shows the dates (their zone and language); UTC and English when absent. */
  reader?: DateReader;
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

/** Whose Slack client shows a date token: its language and the person's time zone. */
export interface DateReader {
  locale: string;
  timeZone: string;
}

const UTC_READER: DateReader = { locale: 'en-US', timeZone: 'UTC' };

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date and clock time of an instant in a zone. */
function wallClock(d: Date, timeZone: string): WallClock {
  if (timeZone === 'UTC') {
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth(),
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    };
  }
  let format = wallFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    wallFormats.set(timeZone, format);
  }
  const part = (type: string) => Number(format.formatToParts(d).find((p) => p.type === type)?.value ?? 0);
  const [year, month, day] = [part('year'), part('month') - 1, part('day')];
  return {
    year,
    month,
    day,
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
    weekday: new Date(Date.UTC(year, month, day)).getUTCDay(),
  };
}

const KOREAN_DAYS = ['일요일', '월요일', '화요일', '수요일', '목요일', '금요일', '토요일'];

/**
 * A `<!date^SECONDS^FORMAT|fallback>` token's text as the reader's Slack client shows it: in their
 * time zone and language (English, or Korean for a `ko` locale); `now` decides today/tomorrow.
 */
export function formatSlackDate(seconds: number, format: string, now: Date, reader = UTC_READER): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  const at = wallClock(d, reader.timeZone);
  const today = wallClock(now, reader.timeZone);
  const dayDiff = Math.round(
    (Date.UTC(at.year, at.month, at.day) - Date.UTC(today.year, today.month, today.day)) / 86_400_000,
  );
  const korean = reader.locale.toLowerCase().startsWith('ko');
  const time = `${pad(at.hour)}:${pad(at.minute)}`;
  const timeSecs = `${time}:${pad(at.second)}`;
  const dateNum = `${at.year}-${pad(at.month + 1)}-${pad(at.day)}`;
  let pretty: string | null;
  let date: string;
  let short: string;
  let long: string;
  if (korean) {
    pretty = dayDiff === 0 ? '오늘' : dayDiff === 1 ? '내일' : dayDiff === -1 ? '어제' : null;
    date = `${at.year}년 ${at.month + 1}월 ${at.day}일`;
    short = date;
    long = `${date} ${KOREAN_DAYS[at.weekday] ?? ''}`;
  } else {
    pretty = dayDiff === 0 ? 'today' : dayDiff === 1 ? 'tomorrow' : dayDiff === -1 ? 'yesterday' : null;
    const month = MONTHS[at.month] ?? '';
    date = `${month} ${ordinal(at.day)}, ${at.year}`;
    short = `${month.slice(0, 3)} ${at.day}, ${at.year}`;
    long = `${DAYS[at.weekday] ?? ''}, ${month} ${ordinal(at.day)}, ${at.year}`;
  }
  const tokens: Record<string, string> = {
    date_num: dateNum,
    date,
    date_short: short,
    date_long: long,
    date_pretty: pretty ?? date,
    date_short_pretty: pretty ?? short,
    date_long_pretty: pretty ?? long,
    time,
    time_secs: timeSecs,
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
    const text = formatSlackDate(Number(seconds), format, now, names.reader);
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
