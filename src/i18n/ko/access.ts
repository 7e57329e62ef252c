import type { AreaOf } from '../catalog.js';
import type { access as english } from '../en/access.js';

export const access: AreaOf<typeof english> = {
  onCallNote:
    '현재 온콜({group}) 중입니다: 만료 {maxExpiry} 이하의 요청은 승인자 없이 바로 승인됩니다. 누가 왜 승인되었는지 승인 채널에 알립니다.',
  onCallLonger:
    '온콜({group})은 만료 {maxExpiry}까지만 바로 승인합니다. 그보다 긴 만료는 승인자의 승인을 받아야 합니다.',
  breakGlassLabel: '긴급 접근(Break glass)',
  breakGlassOption: '직접 승인 (긴급 접근)',
  breakGlassDescription:
    '긴급 상황에만 사용하세요. 최대 {maxExpiry}, 승인자가 {reviewWithin} 안에 검토합니다.',
  confirmTitle: '긴급 접근을 사용할까요?',
  confirmText:
    '{role} 요청을 직접 승인합니다. API 키는 최대 {maxExpiry} 동안만 유효합니다. 보안 채널과 승인 채널에 바로 알리며, 승인자가 {reviewWithin} 안에 검토해야 합니다: 유지하거나, 철회하면 API 키가 삭제됩니다. 검토가 끝날 때까지 긴급 접근을 다시 사용할 수 없습니다.',
  confirmYes: '긴급 접근',
  confirmNo: '취소',
  onCallApproved:
    ':pager: {user} 님이 {group} 온콜 멤버로 바로 승인되었습니다. 만료 {expiry} (온콜 최대 {maxExpiry}).',
  breakGlassTitle: '긴급 접근: {user} 님이 {keyName} ({role}) 요청을 직접 승인했습니다',
  breakGlassHeader: ':rotating_light: *긴급 접근* — {user} 님이 자신의 요청을 직접 승인했습니다.',
  keyName: '*키 이름*',
  role: '*권한*',
  expiry: '*만료*',
  expiryValue: '생성 후 {expiry}',
  reason: '*사유*',
  reviewDue: '승인자가 {reviewBy}까지 검토해야 합니다: *유지* 또는 *철회* (API 키 삭제).',
  keep: '유지',
  revoke: '철회',
  revokeConfirmTitle: '이 API 키를 철회할까요?',
  revokeConfirmText:
    'ClickHouse Cloud에서 API 키를 바로 삭제합니다 (아직 생성되지 않았다면 생성되지 않습니다).',
  kept: ':white_check_mark: {by} 님이 {at}에 유지했습니다.',
  revokedDeleted: ':no_entry: {by} 님이 {at}에 철회했습니다. API 키가 삭제되었습니다.',
  revokedNoKey: ':no_entry: {by} 님이 {at}에 철회했습니다. API 키는 생성되지 않습니다.',
  securityNotice:
    ':rotating_light: 긴급 접근: {user} 님이 {keyName} ({role}, {expiry}) 요청을 직접 승인했습니다. 사유: {reason} 승인자가 {channel}에서 {reviewBy}까지 검토합니다.',
  remind: '{mentions} 이 긴급 접근이 아직 검토를 기다리고 있습니다 (기한 {reviewBy}).',
  escalate: '{mentions} 기한 초과: 이 긴급 접근이 {reviewBy}까지 검토되지 않았습니다.',
  escalateSecurity:
    ':rotating_light: 기한 초과: {user} 님의 {keyName} 긴급 접근이 {reviewBy}까지 검토되지 않았습니다.',
  nobodyToMention: '승인자:',
};
