/**
 * The App Home tab: the viewer's requests in progress (with the Create key button once approved)
 * and their keys, drawn by the same section renderer as `/chkey list`. A Home tab holds at most
 * 100 blocks, so long lists are cut with a pointer to the paged list.
 */
import type { HomeView, KnownBlock, SectionBlock } from '@slack/types';
import type { KeyRequest } from '../core/model.js';
import type { HomeData } from '../core/ports.js';
import { clip, fitText, LIMIT, md, plain, relativeDays, slackDate } from './format.js';
import { ACTION } from './ids.js';
import { keyBlocks, keySuffixText } from './key-list.js';
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
export function homeView(data: HomeData, options: HomeOptions = {}): HomeView {
  const command = escapeMrkdwn(options.command ?? '/chkey');
  const head: KnownBlock[] = [{ type: 'header', text: plain('Keyhouse', LIMIT.header) }];
  if (data.notice) head.push({ type: 'section', text: md(clip(data.notice, LIMIT.text)) });

  const requests: KnownBlock[] = [];
  if (data.requests.length > 0) {
    // Requests waiting on the viewer's click come first, so a cut never hides a Create key button.
    const ordered = [...data.requests].sort(
      (a, b) => Number(canClaim(b.request, data.now)) - Number(canClaim(a.request, data.now)),
    );
    const shown = ordered.slice(0, HOME_REQUESTS_MAX);
    requests.push({ type: 'section', text: md('*Requests in progress*') });
    requests.push(...shown.map((r) => requestSection(r, data.now)));
    const rest = ordered.length - shown.length;
    if (rest > 0) requests.push({ type: 'context', elements: [md(`and ${rest} more in progress`)] });
  }

  const help: KnownBlock[] = [
    { type: 'divider' },
    {
      type: 'context',
      elements: [
        md(
          `${options.mayRequest === false ? '' : `\`${command}\` to request a key · `}` +
            `\`${command} list\` for your keys in a message · \`${command} help\` for more`,
        ),
      ],
    },
  ];

  const keysTitle: KnownBlock = {
    type: 'section',
    text: md(data.keys.length > 0 ? `*Your keys* (${data.keys.length})` : '*Your keys*'),
  };
  const room = HOME_BLOCKS_MAX - head.length - requests.length - help.length - 1;
  return {
    type: 'home',
    blocks: [
      ...head,
      ...requests,
      keysTitle,
      ...keySlice(data, room, options.mayRequest === false ? null : command),
      ...help,
    ],
  };
}

/** The viewer's keys within `room` blocks, with a last line saying how many did not fit. */
function keySlice(data: HomeData, room: number, command: string | null): KnownBlock[] {
  const { keys, now } = data;
  if (keys.length === 0) {
    if (command === null) return [{ type: 'section', text: md('You have no keys.') }];
    return [{ type: 'section', text: md(`You have no keys. Request one with \`${command}\`.`) }];
  }
  // n keys take 2n − 1 blocks (section + divider between); when cut, one more for the count.
  const fits = 2 * keys.length - 1 <= room;
  const shown = fits ? keys : keys.slice(0, Math.max(0, Math.floor(room / 2)));
  const blocks = keyBlocks(shown, { scope: 'mine', page: 0 }, now);
  const rest = keys.length - shown.length;
  if (rest > 0) {
    blocks.push({ type: 'context', elements: [md(`and ${rest} more — use \`${command} list\``)] });
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

function requestSection({ request, roleLabel, nudged }: HomeRequest, now: Date): SectionBlock {
  const name = `*${clip(request.keyName, 200)}*`;
  const suffix = keySuffixText(request.keySuffix);
  const what = request.kind === 'change' ? `Change to ${name}${suffix ? ` ${suffix}` : ''}` : name;
  // When Keyhouse last nudged the approvers (or the admins) about it, so the requester need not.
  const nudge =
    nudged && request.state === 'pending'
      ? `\n${nudged.kind === 'escalate' ? '📣 admins asked' : '🔔 approvers reminded'} ${slackDate(nudged.at)} (${relativeDays(now, nudged.at)})`
      : '';
  const section: SectionBlock = {
    type: 'section',
    text: md(fitText(`${what} · ${clip(roleLabel, 200)}\n${stateText(request, now)}${nudge}`, LIMIT.text)),
  };
  if (canClaim(request, now)) {
    section.accessory = {
      type: 'button',
      action_id: ACTION.createKey,
      text: plain('Create key', LIMIT.buttonText),
      style: 'primary',
      value: request.id,
    };
  }
  return section;
}

function stateText(request: KeyRequest, now: Date): string {
  const until = (verb: string) =>
    request.deadline
      ? ` · ${verb} ${slackDate(request.deadline)} (${relativeDays(now, request.deadline)})`
      : '';
  switch (request.state) {
    case 'pending':
      return `⏳ waiting for approval${until('lapses')}`;
    case 'approved':
      if (request.kind === 'change') return '✅ approved — being applied';
      return canClaim(request, now)
        ? `✅ approved — click *Create key*; its secret is shown once${until('create it by')}`
        : '⌛ approved, but the time to create it has passed';
    case 'creating':
      return '🔧 being created';
    case 'delivered':
      return request.kind === 'change' ? '🔑 change applied' : '🔑 key created';
    case 'denied':
      return '⛔ denied';
    case 'expired':
      return '⌛ expired';
  }
}
