/**
 * The rules' answers in words: refusals (shown ephemerally or in a dialog), field problems (under
 * a dialog's field) and what was done (the line above a list, or a dialog's outcome). The rules
 * return these as data (src/core/outcomes.ts); this is the one place they become sentences.
 */
import type { Done, KeyLabel, Problem, Refusal } from '../core/outcomes.js';
import { formatInstant } from './format.js';
import { mention } from './mrkdwn.js';
import { serviceProblemText, serviceRefusalText, UNCONVERTED_WORDS } from './services.js';

/** `etl-reader (…a1b2)`. */
export function keyLabelText(key: KeyLabel): string {
  return key.suffix ? `${key.name} (…${key.suffix})` : key.name;
}

const ADMINS_ONLY: Record<Extract<Refusal, { code: 'admins_only' }>['what'], string> = {
  audit: 'Only Keyhouse admins can read the audit log.',
  review: 'Only Keyhouse admins can review keys.',
  reassign: 'Only Keyhouse admins can give a key another owner. Nothing was changed.',
  lift_leak: 'Only Keyhouse admins can lift a leak mark. Nothing was changed.',
};

/** Why something was refused, for the person who asked. */
export function refusalText(refusal: Refusal): string {
  switch (refusal.code) {
    case 'not_owner_or_admin':
      return 'Only the key’s owner or an admin can change it. Nothing was changed.';
    case 'admins_only':
      return ADMINS_ONLY[refusal.what];
    case 'list_all_restricted':
      return 'Only approvers and admins can list every key.';
    case 'not_approver':
      return 'Only approvers can decide key requests. Nothing was changed.';
    case 'own_request':
      return 'You cannot decide your own request; another approver has to.';
    case 'not_requester':
      return 'Only the person who requested this key can create it.';
    case 'keyhouse_key':
      return 'This is Keyhouse’s own key; change it in the ClickHouse console.';
    case 'may_no_longer_request':
      return refusal.roleRemoved
        ? 'This role is no longer in the policy, so the key was not created. Ask a Keyhouse admin.'
        : 'You may no longer request this role, so the key was not created. Ask a Keyhouse admin.';
    case 'key_gone':
      return 'That key no longer exists in ClickHouse.';
    case 'request_gone':
      return 'That request no longer exists.';
    case 'role_unknown':
      return refusal.action === 'extend'
        ? 'This key’s role matches no role in the policy, so Keyhouse cannot extend it. Request a new key instead.'
        : 'This key’s role matches no role in the policy, so Keyhouse cannot make its successor. Request a new key instead.';
    case 'leaked':
      return (
        `${keyLabelText(refusal.key)} was disabled because its secret leaked. It stays disabled until a ` +
        'Keyhouse admin lifts the leak mark; rotate it or delete it instead.'
      );
    case 'rotated_already':
      return `${keyLabelText(refusal.key)} was already rotated; its successor is …${refusal.successorSuffix}.`;
    case 'rotation_under_way':
      return `A rotation of ${keyLabelText(refusal.key)} is already under way; see your direct messages.`;
    case 'successor_in_overlap':
      return (
        `${keyLabelText(refusal.key)} replaced …${refusal.predecessorSuffix}, which keeps working until ` +
        `${formatInstant(refusal.until)}; rotate it once that overlap has ended.`
      );
    case 'retired':
      return `${keyLabelText(refusal.key)} was retired by a rotation; its successor is …${refusal.successorSuffix}.`;
    case 'not_leaked':
      return `${keyLabelText(refusal.key)} is not marked leaked.`;
    case 'already_approved_by_you':
      return `You already approved this request (${refusal.given} of ${refusal.needed}).`;
    case 'request_approved':
      return 'This request was already approved.';
    case 'request_denied':
      return 'This request was denied.';
    case 'request_expired':
      if (refusal.stage === 'approval') return 'This request expired before it was decided.';
      if (refusal.stage === 'claim') return 'This approval has expired; request the key again.';
      return 'This request has expired.';
    case 'request_not_approved':
      return 'This request is not approved yet.';
    case 'key_being_created':
      return 'This key is being created right now; its secret appears once, there.';
    case 'key_already_created':
      return 'This key was already created; its secret was shown once.';
    case 'change_in_progress':
      return 'This change is already being applied, or no longer can be.';
    case 'stale_kept':
      return 'That key was just kept; nothing changed.';
    case 'break_glass_review_open':
      return 'Your last break glass still awaits an approver’s review; you cannot break glass again until it is reviewed.';
    case 'break_glass_unreviewed':
      return `${keyLabelText(refusal.key)} came from a break glass that awaits an approver’s review; it can be rotated once reviewed.`;
    case 'not_break_glass':
      return 'That request was not a break glass; there is nothing to review.';
    case 'break_glass_reviewed':
      return `<@${refusal.by}> already reviewed it (${refusal.decision === 'keep' ? 'kept' : 'revoked'}).`;
    case 'keys_limit':
      return (
        `You already own ${refusal.owned} keys (the limit is ${refusal.limit}). ` +
        'Delete one you no longer need (`list`), or ask an admin.'
      );
    case 'open_requests_limit':
      return (
        `You already have ${refusal.open} requests open (the limit is ${refusal.limit}). ` +
        'Create or cancel those keys first; the App Home lists them.'
      );
    case 'new_owner_at_limit':
      return `${mention(refusal.userId)} already owns ${refusal.owned} keys (the limit is ${refusal.limit}); choose someone else, or ask them to delete one.`;
    case 'new_owner_deactivated':
      return `${mention(refusal.userId)} is deactivated in Slack; choose someone else.`;
    case 'choose_new_owner':
      return 'Choose a person to own the key.';
    case 'already_owner':
      return `${mention(refusal.userId)} already owns ${keyLabelText(refusal.key)}.`;
    case 'policy_role_missing':
      return `The policy grants ClickHouse role "${refusal.clickhouseRole}" for ${refusal.roleLabel}, but the organization has no such role. Ask an admin to fix the policy.`;
    case 'service_role_busy':
    case 'service_role_conflict':
      return serviceRefusalText(UNCONVERTED_WORDS, refusal);
    case 'approval_channel_unreachable':
      return (
        `Keyhouse could not post your request in <#${refusal.channel}>, so it was withdrawn. ` +
        'Ask an admin to invite the Keyhouse app to that channel, then request again.'
      );
    case 'replica_settling':
      return 'Another Keyhouse instance is settling this request; try again.';
    case 'create_failed':
      return refusal.leftBehind
        ? 'ClickHouse did not confirm the key. Keyhouse is cleaning up; click Create key again in a minute.'
        : 'ClickHouse did not create the key, and none was left behind. Click Create key again; if it keeps failing, ask a Keyhouse admin.';
    case 'key_withdrawn':
      if (refusal.why === 'settled_elsewhere')
        return 'This key was being settled by another Keyhouse instance, so the new key was deleted unseen. Click Create key again.';
      if (refusal.why === 'store_failed')
        return 'Keyhouse could not record the new key, so it deleted it before anyone saw it. Click Create key again in a minute.';
      return 'Slack did not take the message with your secret, so the new key was deleted. Click Create key again.';
    case 'owner_changed':
      return 'The key has another owner now; nothing was done to it.';
    case 'owner_active':
      return 'The key’s owner is active in Slack; nothing was done to it.';
  }
}

/** What is wrong with one field, shown under it. */
export function problemText(problem: Problem): string {
  switch (problem.code) {
    case 'key_name_empty':
      return 'Enter a key name.';
    case 'key_name_too_long':
      return `Use at most ${problem.max} characters.`;
    case 'key_name_pattern':
      return problem.hint ?? `The name must match the pattern ${problem.pattern}`;
    case 'reason_missing':
      return 'Please give a reason.';
    case 'reason_too_short':
      return `Please give a reason of at least ${problem.min} characters.`;
    case 'reason_too_long':
      return `Please keep the reason to ${problem.max} characters or fewer.`;
    case 'ip_invalid':
      return `line ${problem.line}: "${problem.source}" is not an IPv4 address or CIDR`;
    case 'ip_description_too_long':
      return `line ${problem.line}: the description is longer than ${problem.max} characters`;
    case 'ip_too_many':
      return `line ${problem.line}: at most ${problem.max} entries are allowed`;
    case 'may_not_request_role':
      return 'You may not request this role.';
    case 'services_none':
    case 'service_not_offered':
      return serviceProblemText(UNCONVERTED_WORDS, problem);
    case 'may_not_extend':
      return `You may not request ${problem.roleLabel} keys, so you cannot extend this one; ask an admin.`;
    case 'break_glass_not_offered':
      return `${problem.roleLabel} offers no break glass.`;
    case 'expiry_too_long':
      return `Choose an expiry of at most ${problem.maxExpiry} for ${problem.roleLabel}.`;
    case 'expiry_beyond_role':
      return `${problem.roleLabel} allows at most ${problem.maxExpiry}; choose an expiry.`;
    case 'role_gone':
      return 'This key’s role is no longer in the policy; request a new key instead.';
    case 'role_needed_for_expiry':
      return 'This key’s role is not one the policy knows; choose a role to change its expiry.';
    case 'overlap_not_offered':
      return 'Choose one of the overlaps offered.';
    case 'stale_dialog':
      return 'This dialog is out of date; open it again.';
    case 'refused':
      return refusalText(problem.refusal);
  }
}

/** What was done, in one line. */
export function doneText(done: Done): string {
  switch (done.code) {
    case 'state_changed': {
      const label = keyLabelText(done.key);
      if (done.already) return `${label} was already ${done.state}.`;
      return `${done.state === 'enabled' ? 'Enabled' : 'Disabled'} ${label}.`;
    }
    case 'deleted':
      return `Deleted ${keyLabelText(done.key)}.`;
    case 'renamed':
      return `Renamed ${done.from} to ${done.to}.`;
    case 'expiry_set':
      return `${done.keyName} now expires ${done.expireAt === null ? 'never' : `at ${done.expireAt.toISOString()}`}.`;
    case 'change_requested':
      return done.needsApproval
        ? `The change to ${done.keyName} was sent for approval.`
        : `The change to ${done.keyName} needs no approval for ${done.roleLabel}; applying it.`;
    case 'nothing_to_change':
      return 'Nothing to change.';
    case 'rotation_requested':
      return done.needsApproval
        ? `The rotation of ${keyLabelText(done.key)} was sent for approval.`
        : `Rotating ${keyLabelText(done.key)}: click *Create key* in your direct messages to make its successor.`;
    case 'reassigned':
      return `${keyLabelText(done.key)} now belongs to ${mention(done.to)}.`;
    case 'leak_lifted':
      return `Lifted the leak mark of ${keyLabelText(done.key)}; it can be enabled again.`;
    case 'several':
      return done.done.map(doneText).join(' ');
  }
}

/** Every problem of a dialog in one line (for an outcome view or a DM). */
export function problemsText(problems: Partial<Record<string, Problem>>): string {
  return Object.values(problems)
    .filter((p): p is Problem => p !== undefined)
    .map(problemText)
    .join(' ');
}
