/**
 * The App Home tab: the viewer's requests in progress (with the Create key button once approved)
 * and their keys, drawn by the same section renderer as `/chkey list`. A Home tab holds at most
 * 100 blocks, so long lists are cut with a pointer to the paged list.
 */
import type { HomeView, KnownBlock, SectionBlock } from '@slack/types';
import type { KeyRequest } from '../core/model.js';
import type { HomeData } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { clip, fitText, LIMIT, md, plain } from './format.js';
import { ACTION } from './ids.js';
import { dateWithDays, keyBlocks, keySuffixText, noticeSection } from './key-list.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** Slack's block limit for a Home tab (slack-platform.md §3). */
const HOME_BLOCKS_MAX = 100;
/** Requests shown; more than a handful in flight is rare, and keys need the room. */
const HOME_REQUESTS_MAX = 20;

export interface HomeOptions {
  /** The slash command named in the help line. */
  command?: string;
  /** Whether the viewer may request a key (default yes); if not, no "Request one" is offered. */
  mayRequest?: boolean;
}

type HomeRequest = HomeData['requests'][number];

/** Renders the Home tab for one user. */
export function homeView(m: Messages, data: HomeData, options: HomeOptions = {}): HomeView {
  const command = escapeMrkdwn(options.command ?? '/chkey');
  const head: KnownBlock[] = [{ type: 'header', text: plain(m.t('home.title'), LIMIT.header) }];
  if (data.notice) head.push(noticeSection(data.notice));

  const requests: KnownBlock[] = [];
  if (data.requests.length > 0) {
    // Requests waiting on the viewer's click come first, so a cut never hides a Create key button.
    const ordered = [...data.requests].sort(
      (a, b) => Number(canClaim(b.request, data.now)) - Number(canClaim(a.request, data.now)),
    );
    const shown = ordered.slice(0, HOME_REQUESTS_MAX);
    requests.push({ type: 'section', text: md(m.t('home.requestsTitle')) });
    requests.push(...shown.map((r) => requestSection(m, r, data.now)));
    const rest = ordered.length - shown.length;
    if (rest > 0) requests.push({ type: 'context', elements: [md(m.t('home.requestsMore', { rest }))] });
  }

  const help: KnownBlock[] = [
    { type: 'divider' },
    {
      type: 'context',
      elements: [md(m.t(options.mayRequest === false ? 'home.helpNoRequest' : 'home.help', { command }))],
    },
  ];

  const keysTitle: KnownBlock = {
    type: 'section',
    text: md(
      data.keys.length > 0 ? m.t('home.keysTitleCount', { count: data.keys.length }) : m.t('home.keysTitle'),
    ),
  };
  const room = HOME_BLOCKS_MAX - head.length - requests.length - help.length - 1;
  return {
    type: 'home',
    blocks: [
      ...head,
      ...requests,
      keysTitle,
      ...keySlice(m, data, room, command, options.mayRequest !== false),
      ...help,
    ],
  };
}

/** The viewer's keys within `room` blocks, with a last line saying how many did not fit. */
function keySlice(
  m: Messages,
  data: HomeData,
  room: number,
  command: string,
  mayRequest: boolean,
): KnownBlock[] {
  const { keys, now } = data;
  if (keys.length === 0) {
    // "Request one" only to someone who may (issue #20 item 8).
    if (!mayRequest) return [{ type: 'section', text: md(m.t('keys.emptyMineNoRequest')) }];
    return [{ type: 'section', text: md(m.t('keys.emptyMine', { command })) }];
  }
  // n keys take 2n − 1 blocks (section + divider between); when cut, one more for the count.
  const fits = 2 * keys.length - 1 <= room;
  const shown = fits ? keys : keys.slice(0, Math.max(0, Math.floor(room / 2)));
  const blocks = keyBlocks(m, shown, { scope: 'mine', page: 0 }, now);
  const rest = keys.length - shown.length;
  if (rest > 0) {
    blocks.push({ type: 'context', elements: [md(m.t('home.keysMore', { rest, command }))] });
  }
  return blocks;
}

/** Approved, not yet lapsed, and a new key: the requester may click Create key. */
function canClaim(request: KeyRequest, now: Date): boolean {
  return (
    request.kind === 'create' &&
    request.state === 'approved' &&
    (request.deadline === null || request.deadline.getTime() > now.getTime())
  );
}

function requestSection(m: Messages, { request, roleLabel, nudged }: HomeRequest, now: Date): SectionBlock {
  const name = `*${clip(request.keyName, 200)}*`;
  const suffix = keySuffixText(request.keySuffix);
  const what =
    request.kind === 'change' ? m.t('home.change', { key: `${name}${suffix ? ` ${suffix}` : ''}` }) : name;
  // When Keyhouse last nudged the approvers (or the admins) about it, so the requester need not.
  const nudge =
    nudged && request.state === 'pending'
      ? `\n${m.t(nudged.kind === 'escalate' ? 'home.escalated' : 'home.reminded', { when: dateWithDays(m, now, nudged.at) })}`
      : '';
  const section: SectionBlock = {
    type: 'section',
    text: md(fitText(`${what} · ${clip(roleLabel, 200)}\n${stateText(m, request, now)}${nudge}`, LIMIT.text)),
  };
  if (canClaim(request, now)) {
    section.accessory = {
      type: 'button',
      action_id: ACTION.createKey,
      text: plain(m.t('home.createKey'), LIMIT.buttonText),
      style: 'primary',
      value: request.id,
    };
  }
  return section;
}

function stateText(m: Messages, request: KeyRequest, now: Date): string {
  const when = request.deadline ? dateWithDays(m, now, request.deadline) : null;
  switch (request.state) {
    case 'pending':
      return when ? m.t('home.pendingUntil', { when }) : m.t('home.pending');
    case 'approved':
      if (request.kind === 'change') return m.t('home.approvedChange');
      if (!canClaim(request, now)) return m.t('home.approvedLapsed');
      return when ? m.t('home.approvedClaimUntil', { when }) : m.t('home.approvedClaim');
    case 'creating':
      return m.t('home.creating');
    case 'delivered':
      return m.t(request.kind === 'change' ? 'home.changeApplied' : 'home.keyCreated');
    case 'denied':
      return m.t('home.denied');
    case 'expired':
      return m.t('home.expired');
  }
}
