/**
 * The rules' answers in words: refusals (shown ephemerally or in a dialog), field problems (under
 * a dialog's field) and what was done (the line above a list, or a dialog's outcome). The rules
 * return these as data (src/core/outcomes.ts); this is the one place they become sentences, in the
 * reader's language.
 *
 * Refusals and problems may end up in plain text (a dialog's field error), so they hold names as
 * given; `doneText` is mrkdwn (names escaped, people as mentions), shown as it is.
 */
import type { Done, KeyLabel, Problem, Refusal } from '../core/outcomes.js';
import type { Messages } from '../i18n/index.js';
import { placeWords } from './delivery.js';
import { formatInstant, slackDate } from './format.js';
import { escapeMrkdwn, mention } from './mrkdwn.js';
import { serviceProblemText, serviceRefusalText } from './services.js';

/** `etl-reader (…a1b2)`. */
export function keyLabelText(key: KeyLabel): string {
  return key.suffix ? `${key.name} (…${key.suffix})` : key.name;
}

/** The same, escaped for mrkdwn. */
function keyLabelMd(key: KeyLabel): string {
  return keyLabelText({ name: escapeMrkdwn(key.name), suffix: escapeMrkdwn(key.suffix) });
}

const ADMINS_ONLY = {
  audit: 'outcomes.adminsOnlyAudit',
  review: 'outcomes.adminsOnlyReview',
  reassign: 'outcomes.adminsOnlyReassign',
  lift_leak: 'outcomes.adminsOnlyLiftLeak',
} as const;

/** Why something was refused, for the person who asked. */
export function refusalText(m: Messages, refusal: Refusal): string {
  switch (refusal.code) {
    case 'not_owner_or_admin':
      return m.t('outcomes.notOwnerOrAdmin');
    case 'admins_only':
      return m.t(ADMINS_ONLY[refusal.what]);
    case 'list_all_restricted':
      return m.t('outcomes.listAllRestricted');
    case 'not_approver':
      return m.t('outcomes.notApprover');
    case 'own_request':
      return m.t('outcomes.ownRequest');
    case 'not_requester':
      return m.t('outcomes.notRequester');
    case 'keyhouse_key':
      return m.t('outcomes.keyhouseKey');
    case 'may_no_longer_request':
      return m.t('outcomes.mayNoLongerRequest', { roleRemoved: refusal.roleRemoved ? 'yes' : 'no' });
    case 'key_gone':
      return m.t('outcomes.keyGone');
    case 'request_gone':
      return m.t('outcomes.requestGone');
    case 'role_unknown':
      return m.t('outcomes.roleUnknown', { action: refusal.action });
    case 'leaked':
      return m.t('outcomes.leaked', { key: keyLabelText(refusal.key) });
    case 'rotated_already':
      return m.t('outcomes.rotatedAlready', {
        key: keyLabelText(refusal.key),
        successor: refusal.successorSuffix,
      });
    case 'rotation_under_way':
      return m.t('outcomes.rotationUnderWay', { key: keyLabelText(refusal.key) });
    case 'successor_in_overlap':
      return m.t('outcomes.successorInOverlap', {
        key: keyLabelText(refusal.key),
        predecessor: refusal.predecessorSuffix,
        until: formatInstant(refusal.until),
      });
    case 'retired':
      return m.t('outcomes.retired', { key: keyLabelText(refusal.key), successor: refusal.successorSuffix });
    case 'not_leaked':
      return m.t('outcomes.notLeaked', { key: keyLabelText(refusal.key) });
    case 'already_approved_by_you':
      return m.t('outcomes.alreadyApprovedByYou', { given: refusal.given, needed: refusal.needed });
    case 'request_approved':
      return m.t('outcomes.requestApproved');
    case 'request_denied':
      return m.t('outcomes.requestDenied');
    case 'request_expired':
      return m.t('outcomes.requestExpired', { stage: refusal.stage ?? 'unknown' });
    case 'request_not_approved':
      return m.t('outcomes.requestNotApproved');
    case 'key_being_created':
      return m.t('outcomes.keyBeingCreated');
    case 'key_already_created':
      return m.t('outcomes.keyAlreadyCreated');
    case 'change_in_progress':
      return m.t('outcomes.changeInProgress');
    case 'stale_kept':
      return m.t('outcomes.staleKept');
    case 'break_glass_review_open':
      return m.t('outcomes.breakGlassReviewOpen');
    case 'break_glass_unreviewed':
      return m.t('outcomes.breakGlassUnreviewed', { key: keyLabelText(refusal.key) });
    case 'not_break_glass':
      return m.t('outcomes.notBreakGlass');
    case 'break_glass_reviewed':
      return m.t('outcomes.breakGlassReviewed', { user: mention(refusal.by), decision: refusal.decision });
    case 'keys_limit':
      return m.t('outcomes.keysLimit', { owned: refusal.owned, limit: refusal.limit });
    case 'open_requests_limit':
      return m.t('outcomes.openRequestsLimit', { open: refusal.open, limit: refusal.limit });
    case 'new_owner_at_limit':
      return m.t('outcomes.newOwnerAtLimit', {
        user: mention(refusal.userId),
        owned: refusal.owned,
        limit: refusal.limit,
      });
    case 'new_owner_deactivated':
      return m.t('outcomes.newOwnerDeactivated', { user: mention(refusal.userId) });
    case 'choose_new_owner':
      return m.t('outcomes.chooseNewOwner');
    case 'already_owner':
      return m.t('outcomes.alreadyOwner', { user: mention(refusal.userId), key: keyLabelText(refusal.key) });
    case 'policy_role_missing':
      return m.t('outcomes.policyRoleMissing', {
        clickhouseRole: refusal.clickhouseRole,
        roleLabel: refusal.roleLabel,
      });
    case 'service_role_busy':
    case 'service_role_conflict':
      return serviceRefusalText(m, refusal);
    case 'approval_channel_unreachable':
      return m.t('outcomes.approvalChannelUnreachable', {
        channel: refusal.channel.replace(/[^A-Z0-9]/gi, ''),
      });
    case 'destination_unavailable':
      return m.t('delivery.unavailable', { destination: refusal.destinationId });
    case 'destination_taken':
      return m.t('delivery.taken', {
        place: placeWords(m, refusal.place),
        holder: refusal.key ? 'key' : 'request',
        key: refusal.key ? keyLabelMd(refusal.key) : '',
      });
    case 'replica_settling':
      return m.t('outcomes.replicaSettling');
    case 'create_failed':
      return m.t('outcomes.createFailed', { leftBehind: refusal.leftBehind ? 'yes' : 'no' });
    case 'key_withdrawn':
      return m.t('outcomes.keyWithdrawn', { why: refusal.why });
    case 'owner_changed':
      return m.t('outcomes.ownerChanged');
    case 'owner_active':
      return m.t('outcomes.ownerActive');
  }
}

/** What is wrong with one field, shown under it. */
export function problemText(m: Messages, problem: Problem): string {
  switch (problem.code) {
    case 'key_name_empty':
      return m.t('outcomes.keyNameEmpty');
    case 'key_name_too_long':
      return m.t('outcomes.keyNameTooLong', { max: problem.max });
    case 'key_name_pattern':
      // The policy's own hint, in the policy's words, when it gives one.
      return problem.hint ?? m.t('outcomes.keyNamePattern', { pattern: problem.pattern });
    case 'reason_missing':
      return m.t('outcomes.reasonMissing');
    case 'reason_too_short':
      return m.t('outcomes.reasonTooShort', { min: problem.min });
    case 'reason_too_long':
      return m.t('outcomes.reasonTooLong', { max: problem.max });
    case 'ip_invalid':
      return m.t('outcomes.ipInvalid', { line: problem.line, source: problem.source });
    case 'ip_description_too_long':
      return m.t('outcomes.ipDescriptionTooLong', { line: problem.line, max: problem.max });
    case 'ip_too_many':
      return m.t('outcomes.ipTooMany', { line: problem.line, max: problem.max });
    case 'may_not_request_role':
      return m.t('outcomes.mayNotRequestRole');
    case 'services_none':
    case 'service_not_offered':
      return serviceProblemText(m, problem);
    case 'may_not_extend':
      return m.t('outcomes.mayNotExtend', { roleLabel: problem.roleLabel });
    case 'break_glass_not_offered':
      return m.t('outcomes.breakGlassNotOffered', { roleLabel: problem.roleLabel });
    case 'expiry_too_long':
      return m.t('outcomes.expiryTooLong', { roleLabel: problem.roleLabel, maxExpiry: problem.maxExpiry });
    case 'expiry_beyond_role':
      return m.t('outcomes.expiryBeyondRole', { roleLabel: problem.roleLabel, maxExpiry: problem.maxExpiry });
    case 'role_gone':
      return m.t('outcomes.roleGone');
    case 'role_needed_for_expiry':
      return m.t('outcomes.roleNeededForExpiry');
    case 'overlap_not_offered':
      return m.t('outcomes.overlapNotOffered');
    case 'destination_not_offered':
      return m.t('delivery.notOffered');
    case 'stale_dialog':
      return m.t('outcomes.staleDialog');
    case 'refused':
      return refusalText(m, problem.refusal);
  }
}

/**
 * What was done, in one line of mrkdwn: names escaped, people as mentions that work (never pass
 * it through `clip`, which would escape the mentions).
 */
export function doneText(m: Messages, done: Done): string {
  switch (done.code) {
    case 'state_changed': {
      const values = { key: keyLabelMd(done.key), state: done.state };
      return done.already ? m.t('outcomes.alreadyInState', values) : m.t('outcomes.stateChanged', values);
    }
    case 'deleted':
      return m.t('outcomes.deleted', { key: keyLabelMd(done.key) });
    case 'renamed':
      return m.t('outcomes.renamed', { from: escapeMrkdwn(done.from), to: escapeMrkdwn(done.to) });
    case 'expiry_set': {
      const key = escapeMrkdwn(done.keyName);
      return done.expireAt === null
        ? m.t('outcomes.expiryNever', { key })
        : m.t('outcomes.expirySet', { key, at: slackDate(done.expireAt) });
    }
    case 'change_requested': {
      const key = escapeMrkdwn(done.keyName);
      return done.needsApproval
        ? m.t('outcomes.changeSent', { key })
        : m.t('outcomes.changeApplying', { key, roleLabel: escapeMrkdwn(done.roleLabel) });
    }
    case 'nothing_to_change':
      return m.t('outcomes.nothingToChange');
    case 'rotation_requested':
      if (done.needsApproval) return m.t('outcomes.rotationSent', { key: keyLabelMd(done.key) });
      return done.place
        ? m.t('outcomes.rotationDelivering', { key: keyLabelMd(done.key), place: placeWords(m, done.place) })
        : m.t('outcomes.rotationStarted', { key: keyLabelMd(done.key) });
    case 'reassigned':
      return m.t('outcomes.reassigned', { key: keyLabelMd(done.key), user: mention(done.to) });
    case 'leak_lifted':
      return m.t('outcomes.leakLifted', { key: keyLabelMd(done.key) });
    case 'several':
      return done.done.map((one) => doneText(m, one)).join(' ');
  }
}

/** Every problem of a dialog in one line (for an outcome view or a DM). */
export function problemsText(m: Messages, problems: Partial<Record<string, Problem>>): string {
  return Object.values(problems)
    .filter((p): p is Problem => p !== undefined)
    .map((p) => problemText(m, p))
    .join(' ');
}

/**
 * A mrkdwn line for a `text` fallback, which notifications show raw: each date token becomes its
 * fallback (UTC) text.
 */
export function withoutDateTokens(text: string): string {
  return text.replace(/<!date\^[^|>]*\|([^>]*)>/g, '$1');
}
