/**
 * What Keyhouse says of a leak found outside Slack (product.md §13): the security channel's notice
 * (the repository, file and commit of a GitHub alert, or the scanner and its URL; each key of ours and
 * what was done; the secrets it did not issue), the owner's DM with Rotate, and the comment a GitHub
 * alert is resolved with. Pure; never given a secret, so they cannot show one.
 */
import type { KnownBlock } from '@slack/types';
import type {
  AlertPlace,
  LeakedKey,
  LeakOutcome,
  OutsideLeakReport,
  OutsideOwnerLeak,
  OutsideSite,
} from '../core/watch-ports.js';
import type { MessageId, Messages } from '../i18n/index.js';
import { clip, fitText, LIMIT, md } from './format.js';
import { mention } from './mrkdwn.js';
import { withRotate } from './watch.js';

export interface OutsideLeakMessage {
  text: string;
  blocks?: KnownBlock[];
}

/** Keys named in one message; the rest are counted (as §9's notices do). */
const MAX_NAMED_KEYS = 10;

const DONE: Record<LeakOutcome, MessageId> = {
  disabled: 'leaks.doneDisabled',
  deleted: 'leaks.doneDeleted',
  reported: 'leaks.doneReported',
  already_disabled: 'leaks.doneAlreadyDisabled',
  already_gone: 'leaks.doneAlreadyGone',
  failed: 'leaks.doneFailed',
};

/** A URL as Slack's `<url|label>` can hold it: http(s) only, without the characters that end the link. */
function linkable(url: string | null): string | null {
  if (url === null || !/^https?:\/\/[^\s<>|]+$/.test(url) || url.length > 1_000) return null;
  return url;
}

function alertLabel(m: Messages, site: Extract<OutsideSite, { kind: 'github' }>): string {
  const url = linkable(site.alertUrl);
  return url
    ? m.t('leaks.alertLink', { url, number: site.alertNumber })
    : m.t('leaks.alertPlain', { number: site.alertNumber });
}

function placeLine(m: Messages, place: AlertPlace): string {
  const url = linkable(place.url);
  const link = url ? m.t('leaks.placeLink', { url }) : '';
  if (place.path !== null) {
    const values = { path: clip(place.path, 300), commit: clip((place.commitSha ?? '?').slice(0, 12), 12) };
    const line =
      place.startLine === null
        ? m.t('leaks.placeFileNoLine', values)
        : m.t('leaks.placeFile', { ...values, line: place.startLine });
    return line + link;
  }
  return m.t('leaks.placeOther', { type: clip(place.type, 60) }) + link;
}

function keyValues(m: Messages, { key, outcome }: LeakedKey) {
  return { name: clip(key.keyName, 100), suffix: clip(key.keySuffix, 8), done: m.t(DONE[outcome]) };
}

/** The security channel's one notice of a GitHub alert or a scanner's report. */
export function outsideLeakSecurityNotice(m: Messages, report: OutsideLeakReport): OutsideLeakMessage {
  const { site } = report;
  const count = report.keys.length + report.unknown;
  const lines: string[] = [];
  if (site.kind === 'github') {
    lines.push(
      m.t('leaks.githubHeadline', {
        count,
        repository: clip(site.repository, 200),
        alert: alertLabel(m, site),
      }),
    );
    lines.push(...site.places.map((place) => placeLine(m, place)));
  } else {
    const url = linkable(site.url);
    lines.push(
      m.t('leaks.reportHeadline', {
        count,
        source: clip(site.source, 100),
        where: url ? m.t('leaks.reportWhere', { url }) : '',
      }),
    );
  }
  for (const leaked of report.keys.slice(0, MAX_NAMED_KEYS)) {
    lines.push(m.t('leaks.keyLine', { ...keyValues(m, leaked), owner: mention(leaked.key.ownerId) }));
  }
  const more = report.keys.length - MAX_NAMED_KEYS;
  if (more > 0) lines.push(m.t('leaks.keysMore', { count: more }));
  if (report.unknown > 0) {
    const id = site.kind === 'github' ? 'leaks.notIssuedGithub' : 'leaks.notIssuedReport';
    lines.push(m.t(id, { count: report.unknown }));
  }
  return { text: fitText(lines.join('\n'), LIMIT.text) };
}

function ownerWhere(m: Messages, site: OutsideSite): string {
  if (site.kind === 'github')
    return m.t('leaks.ownerWhereGithub', {
      repository: clip(site.repository, 200),
      alert: alertLabel(m, site),
    });
  const url = linkable(site.url);
  return m.t('leaks.ownerWhereReport', {
    source: clip(site.source, 100),
    where: url ? m.t('leaks.reportWhere', { url }) : '',
  });
}

/** One owner's DM: which of their keys were found where, what was done, and Rotate for each that exists. */
export function outsideLeakOwnerMessage(m: Messages, leak: OutsideOwnerLeak): OutsideLeakMessage {
  const where = ownerWhere(m, leak.site);
  const [only] = leak.keys.length === 1 ? leak.keys : [];
  if (only) {
    const text = fitText(m.t('leaks.ownerOne', { ...keyValues(m, only), where }), LIMIT.text);
    return { text, blocks: [withRotate(m.t('leaks.rotate'), text, only)] };
  }
  const text = fitText(m.t('leaks.ownerMany', { count: leak.keys.length, where }), LIMIT.text);
  const blocks: KnownBlock[] = [{ type: 'section', text: md(text) }];
  for (const leaked of leak.keys.slice(0, MAX_NAMED_KEYS)) {
    blocks.push(withRotate(m.t('leaks.rotate'), m.t('leaks.ownerKey', keyValues(m, leaked)), leaked));
  }
  const more = leak.keys.length - MAX_NAMED_KEYS;
  if (more > 0) blocks.push({ type: 'context', elements: [md(m.t('leaks.ownerMore', { count: more }))] });
  return { text, blocks };
}

/** GitHub's `resolution_comment`: which keys no longer work, by their last characters only. */
export function alertResolutionComment(m: Messages, keys: readonly LeakedKey[]): string {
  const suffixes = keys
    .slice(0, MAX_NAMED_KEYS)
    .map(({ key }) => `…${key.keySuffix}`)
    .join(', ');
  return m.t('leaks.resolutionComment', { count: keys.length, suffixes });
}
