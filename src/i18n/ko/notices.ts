import type { AreaOf } from '../catalog.js';
import type { notices as english } from '../en/notices.js';

export const notices: AreaOf<typeof english> = {
  keyManaged:
    '🔧 {user} 님이 내 ClickHouse API 키 {key}{verb, select, shortened {의 만료를 앞당겼습니다} enabled {를 ' +
    '활성화했습니다} disabled {를 비활성화했습니다} deleted {를 삭제했습니다} renamed {의 이름을 바꿨습니다} ' +
    'other {를 변경했습니다}}.',
  again: '`{command}`로 다시 요청하세요',
  deniedHead: '⛔ API 키 *{name}* 요청이 {user} 님에 의해 거절되었습니다.',
  deniedText: 'API 키 {name} 요청이 {user} 님에 의해 거절되었습니다.',
  reason: '*사유*',
  noReason: '사유가 입력되지 않았습니다.',
  expiredApproval:
    '⌛ API 키 *{name}* 요청이 승인 또는 거절되기 전에 만료되었습니다. 아직 필요하다면 {again}.',
  expiredClaim: '⌛ API 키 *{name}*의 승인이 키를 생성하기 전에 만료되었습니다. 아직 필요하다면 {again}.',
  notDeliveredDeleted:
    '⚠️ Slack이 *{name}*의 시크릿이 담긴 메시지를 받지 않아 키를 삭제했습니다. 시크릿을 본 사람은 없습니다. ' +
    '*키 생성*을 다시 누르세요.',
  notDeliveredPending:
    '⚠️ Slack이 *{name}*의 시크릿이 담긴 메시지를 받지 않았고, 아직 키를 삭제하지 못했습니다. Keyhouse가 곧 ' +
    '삭제합니다. 그 뒤에 *키 생성*을 다시 누르세요.',
  recovered:
    '🔄 API 키 *{name}*을 만드는 중에 Keyhouse가 다시 시작되었습니다. 남은 것은 없습니다. *키 생성*을 다시 누르세요.',
  changeApplied: '✅ API 키 *{name}*의 승인된 변경이 적용되었습니다.',
  changeFailed: '⚠️ API 키 *{name}*의 승인된 변경을 적용하지 못했습니다: {why}',
  changeFailedRetry: '아래 메시지의 *변경 적용*을 눌러 다시 시도하세요.',
  notApplied: 'ClickHouse가 변경을 적용하지 않았습니다.',
  rotationStarted:
    '🔁 API 키 {key}가 교체되었습니다. 후속 키는 …{successor}입니다. 이전 키는 {when}까지 작동한 뒤 ' +
    '비활성화되니, 그 전에 작업을 새 키로 옮기세요.',
  keyRetired:
    '🔁 {key}의 교체 중첩 기간이 끝나 이제 *비활성* 상태입니다 (후속 키 …{successor}). {when}에 삭제됩니다.',
  newOwner:
    '🔑 {user} 님이 API 키 {key}의 소유자를 회원님으로 바꿨습니다{from, select, yes { (이전 소유자 {previous} 님)} ' +
    'other {}}. 이제 `list`에 표시됩니다.',
  oldOwner: '🔑 {user} 님이 API 키 {key}의 소유자를 {to} 님으로 바꿨습니다. 이제 회원님 소유가 아닙니다.',
  approvedNote: '✅ {user} 님 승인 ({needed}명 중 {given}명)',
  deniedNote: '⛔ {user} 님 거절: {reason}',
  deniedNoteNoReason: '⛔ {user} 님 거절 (사유 없음)',
  expiredNote: '⌛ 만료됨: 기한 안에 승인 또는 거절되지 않았습니다.',
  createdNote: '🔑 {when} 키 생성됨',
  claimExpiredNote: '⌛ 만료됨: 요청자가 기한 안에 키를 생성하지 않았습니다.',
  errorWithReference: '⚠️ {message} (참조 ID `{reference}`)',
  notAllowed: 'ClickHouse API 키를 요청할 권한이 없습니다. 권한이 필요하면 {admins}에게 문의하세요.',
  notAllowedNoAdmins:
    'ClickHouse API 키를 요청할 권한이 없습니다. 권한이 필요하면 Keyhouse 관리자에게 문의하세요.',
};
