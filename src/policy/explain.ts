import { formatDuration } from '../core/duration.js';
import type { Because, PersonAbilities, RoleAbility } from './abilities.js';
import { formatPath } from './schema.js';

/**
 * `npm run policy -- explain`: what a person may request, approve and manage, each answer with
 * the policy lines that say so. Plain text for a terminal or a CI log (an operator's tool, in
 * English like the policy file itself).
 */
export function explainText(file: string, who: PersonAbilities): string {
  const out: string[] = [];
  const groups = who.groups.length > 0 ? ` (in ${who.groups.join(', ')})` : ' (in no user group)';
  out.push(`${who.userId}${groups}, under ${file}:`, '');

  const may = who.roles.filter((r) => r.request);
  const mayNot = who.roles.filter((r) => !r.request);
  out.push(may.length > 0 ? 'May request:' : 'May request: nothing');
  for (const r of may) out.push(...roleLines(r));
  if (mayNot.length > 0) {
    out.push('May not request:');
    for (const r of mayNot) {
      out.push(`  - ${r.role.id} (${r.role.label}): not in ${where(r.requestBecause)}`);
    }
  }
  out.push('');

  const { approve, admin } = who;
  out.push(
    approve.may
      ? `May approve and deny requests: yes, as ${entry(approve.because)} of ${where(approve.because)}${
          approve.selfApproval
            ? ', their own included (selfApproval: true)'
            : ', never their own (selfApproval: false)'
        }`
      : `May approve and deny requests: no (not in ${where(approve.because)})`,
  );
  out.push(
    admin.may
      ? `May manage: every key in the organization (list all, disable, delete, reassign, review, audit), as ${entry(admin.because)} of ${where(admin.because)}`
      : `May manage: their own keys only${who.listAll ? '; may list all keys as an approver' : ''} (not in ${where(admin.because)})`,
  );
  return `${out.join('\n')}\n`;
}

function roleLines(r: RoleAbility): string[] {
  const { role } = r;
  const approvals =
    role.approvals === 0
      ? 'no approval needed'
      : `${role.approvals} approval${role.approvals === 1 ? '' : 's'}`;
  const lines = [
    `  - ${role.id} (${role.label}): ${approvals}, up to ${expiryWords(role.maxExpiryMs)}` +
      ` — ${entry(r.requestBecause)} of ${where(r.requestBecause)}; the role: ${where({ path: ['roles', r.index], line: r.line })}`,
  ];
  if (role.autoApprove) {
    lines.push(
      r.onCall
        ? `      on call: approved at once, up to ${expiryWords(role.autoApprove.maxExpiryMs)}, as a member of ${r.onCall.group} (${where(r.onCall.because)})`
        : `      on call: not now (in none of ${role.autoApprove.whenIn.join(', ')}); approved at once only while in one`,
    );
  }
  if (r.breakGlass && role.breakGlass) {
    lines.push(
      `      break glass: may approve their own request, up to ${expiryWords(role.breakGlass.maxExpiryMs)}; an approver reviews it within ${expiryWords(role.breakGlass.reviewWithinMs)} (${where(r.breakGlass.because)})`,
    );
  }
  return lines;
}

function expiryWords(ms: number | null): string {
  return ms === null ? 'no expiry (never)' : formatDuration(ms);
}

/** `"*"`, the user id or the group that matched. */
function entry(because: Because): string {
  if (because.via === '*') return 'everyone ("*")';
  return because.via ?? 'a member';
}

/** `roles[0].requesters, line 12`; a default has no line. */
function where(because: Pick<Because, 'path' | 'line'>): string {
  const path = formatPath(because.path);
  return because.line === null ? `${path} (default)` : `${path}, line ${because.line}`;
}
