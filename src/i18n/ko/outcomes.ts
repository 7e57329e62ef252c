import type { AreaOf } from '../catalog.js';
import type { outcomes as english } from '../en/outcomes.js';

export const outcomes: AreaOf<typeof english> = {
  notOwnerOrAdmin: '키 소유자나 관리자만 변경할 수 있습니다. 아무것도 변경되지 않았습니다.',
  adminsOnlyAudit: 'Keyhouse 관리자만 감사 로그를 볼 수 있습니다.',
  adminsOnlyReview: 'Keyhouse 관리자만 키를 점검할 수 있습니다.',
  adminsOnlyReassign: 'Keyhouse 관리자만 키의 소유자를 바꿀 수 있습니다. 아무것도 변경되지 않았습니다.',
  adminsOnlyLiftLeak: 'Keyhouse 관리자만 유출 표시를 해제할 수 있습니다. 아무것도 변경되지 않았습니다.',
  listAllRestricted: '승인자와 관리자만 모든 API 키 목록을 볼 수 있습니다.',
  notApprover: '승인자만 키 요청을 승인하거나 거절할 수 있습니다. 아무것도 변경되지 않았습니다.',
  ownRequest: '본인의 요청은 직접 승인하거나 거절할 수 없습니다. 다른 승인자가 처리해야 합니다.',
  notRequester: '이 키를 요청한 사람만 키를 생성할 수 있습니다.',
  keyhouseKey: 'Keyhouse 자체의 API 키입니다. ClickHouse 콘솔에서 변경하세요.',
  mayNoLongerRequest:
    '{roleRemoved, select, yes {이 역할이 더 이상 정책에 없어} other {더 이상 이 역할을 요청할 수 없어}} ' +
    '키를 생성하지 않았습니다. Keyhouse 관리자에게 문의하세요.',
  keyGone: '해당 키가 ClickHouse에 더 이상 존재하지 않습니다.',
  requestGone: '해당 요청이 더 이상 존재하지 않습니다.',
  roleUnknown:
    '이 키의 역할이 정책의 어떤 역할과도 일치하지 않아 ' +
    '{action, select, extend {만료를 연장할 수 없습니다} other {후속 키를 만들 수 없습니다}}. 대신 새 키를 요청하세요.',
  leaked:
    '{key} 키는 시크릿이 유출되어 비활성화되었습니다. Keyhouse 관리자가 유출 표시를 해제할 때까지 비활성 상태로 ' +
    '유지되니, 대신 키를 교체하거나 삭제하세요.',
  rotatedAlready: '{key} 키는 이미 교체되었습니다. 후속 키는 …{successor}입니다.',
  rotationUnderWay: '{key} 키의 교체가 이미 진행 중입니다. DM을 확인하세요.',
  successorInOverlap:
    '{key} 키가 …{predecessor} 키를 대체했으며, 이전 키는 {until}까지 계속 작동합니다. 이 중첩 기간이 끝난 뒤에 교체하세요.',
  retired: '{key} 키는 교체로 폐기되었습니다. 후속 키는 …{successor}입니다.',
  notLeaked: '{key} 키에는 유출 표시가 없습니다.',
  alreadyApprovedByYou: '이미 이 요청을 승인했습니다 ({needed}명 중 {given}명 승인).',
  requestApproved: '이미 승인된 요청입니다.',
  requestDenied: '거절된 요청입니다.',
  requestExpired:
    '{stage, select, approval {승인 또는 거절되기 전에 요청이 만료되었습니다.} ' +
    'claim {승인이 만료되었습니다. 키를 다시 요청하세요.} other {만료된 요청입니다.}}',
  requestNotApproved: '아직 승인되지 않은 요청입니다.',
  keyBeingCreated: '지금 키를 생성하고 있습니다. 시크릿은 그곳에 한 번만 표시됩니다.',
  keyAlreadyCreated: '이미 생성된 키입니다. 시크릿은 한 번만 표시되었습니다.',
  changeInProgress: '이 변경은 이미 적용 중이거나 더 이상 적용할 수 없습니다.',
  staleKept: '해당 키는 방금 유지하기로 했습니다. 변경된 것은 없습니다.',
  breakGlassReviewOpen:
    '지난번 긴급 접근이 아직 승인자의 검토를 기다리고 있습니다. 검토가 끝나야 다시 긴급 접근을 사용할 수 있습니다.',
  breakGlassUnreviewed:
    '{key}는 승인자의 검토를 기다리는 긴급 접근으로 만든 키입니다. 검토가 끝난 뒤 교체할 수 있습니다.',
  notBreakGlass: '이 요청은 긴급 접근이 아니므로 검토할 것이 없습니다.',
  breakGlassReviewed: '{user} 님이 이미 검토했습니다({decision, select, keep {유지} other {철회}}).',
  breakGlassNotOffered: '{roleLabel} 권한에는 긴급 접근이 없습니다.',
  keysLimit:
    '이미 API 키를 {owned, plural, other {#개}} 소유하고 있습니다 (한도 {limit}개). ' +
    '더 이상 필요 없는 키를 삭제하거나(`list`) 관리자에게 문의하세요.',
  openRequestsLimit:
    '진행 중인 요청이 이미 {open, plural, other {#개}} 있습니다 (한도 {limit}개). ' +
    '먼저 해당 키를 생성하거나 요청을 취소하세요. 앱 홈에서 목록을 볼 수 있습니다.',
  newOwnerAtLimit:
    '{user} 님은 이미 API 키를 {owned, plural, other {#개}} 소유하고 있습니다 (한도 {limit}개). ' +
    '다른 사람을 선택하거나 키를 하나 삭제해 달라고 요청하세요.',
  newOwnerDeactivated: '{user} 님은 Slack에서 비활성화된 사용자입니다. 다른 사람을 선택하세요.',
  chooseNewOwner: '키를 소유할 사람을 선택하세요.',
  alreadyOwner: '{user} 님이 이미 {key} 키의 소유자입니다.',
  policyRoleMissing:
    '정책이 {roleLabel}에 부여하는 ClickHouse 역할 "{clickhouseRole}"이(가) 조직에 없습니다. ' +
    '관리자에게 정책 수정을 요청하세요.',
  approvalChannelUnreachable:
    'Keyhouse가 <#{channel}> 채널에 요청을 게시하지 못해 요청이 철회되었습니다. ' +
    '관리자에게 Keyhouse 앱을 해당 채널에 초대해 달라고 한 뒤 다시 요청하세요.',
  replicaSettling: '다른 Keyhouse 인스턴스가 이 요청을 처리하고 있습니다. 다시 시도하세요.',
  createFailed:
    '{leftBehind, select, yes {ClickHouse가 키 생성을 확인해 주지 않았습니다. Keyhouse가 정리하고 있으니 ' +
    '1분 뒤에 키 생성을 다시 누르세요.} other {ClickHouse가 키를 생성하지 않았고 남은 키도 없습니다. ' +
    '키 생성을 다시 누르고, 계속 실패하면 Keyhouse 관리자에게 문의하세요.}}',
  keyWithdrawn:
    '{why, select, settled_elsewhere {다른 Keyhouse 인스턴스가 이 키를 처리하고 있어, 새 키는 아무도 보기 전에 ' +
    '삭제되었습니다. 키 생성을 다시 누르세요.} store_failed {Keyhouse가 새 키를 기록하지 못해 아무도 보기 전에 ' +
    '삭제했습니다. 1분 뒤에 키 생성을 다시 누르세요.} other {Slack이 시크릿이 담긴 메시지를 받지 않아 새 키를 ' +
    '삭제했습니다. 키 생성을 다시 누르세요.}}',
  ownerChanged: '키의 소유자가 바뀌어 아무 조치도 하지 않았습니다.',
  ownerActive: '키 소유자가 Slack에서 활성 상태여서 아무 조치도 하지 않았습니다.',

  keyNameEmpty: '키 이름을 입력하세요.',
  keyNameTooLong: '{max}자 이하로 입력하세요.',
  keyNamePattern: '이름은 {pattern} 패턴과 일치해야 합니다.',
  reasonMissing: '사유를 입력하세요.',
  reasonTooShort: '사유를 {min}자 이상 입력하세요.',
  reasonTooLong: '사유는 {max}자 이하로 입력하세요.',
  ipInvalid: '{line}번째 줄: "{source}"은(는) IPv4 주소나 CIDR가 아닙니다',
  ipDescriptionTooLong: '{line}번째 줄: 설명이 {max}자를 넘습니다',
  ipTooMany: '{line}번째 줄: 항목은 최대 {max}개까지 허용됩니다',
  mayNotRequestRole: '이 역할은 요청할 수 없습니다.',
  mayNotExtend:
    '{roleLabel} 키를 요청할 권한이 없어 이 키의 만료를 연장할 수 없습니다. 관리자에게 문의하세요.',
  expiryTooLong: '{roleLabel}의 만료 기간은 최대 {maxExpiry}입니다. 그 이내로 선택하세요.',
  expiryBeyondRole: '{roleLabel} 역할은 최대 {maxExpiry}까지 허용합니다. 만료 기간을 선택하세요.',
  roleGone: '이 키의 역할이 더 이상 정책에 없습니다. 대신 새 키를 요청하세요.',
  roleNeededForExpiry: '이 키의 역할은 정책에 없는 역할입니다. 만료를 변경하려면 역할을 선택하세요.',
  overlapNotOffered: '제시된 중첩 기간 중 하나를 선택하세요.',
  staleDialog: '이 창의 내용이 최신이 아닙니다. 다시 여세요.',

  alreadyInState: '{key} 키는 이미 {state, select, enabled {활성} other {비활성}} 상태입니다.',
  stateChanged: '{key} 키를 {state, select, enabled {활성화} other {비활성화}}했습니다.',
  deleted: '{key} 키를 삭제했습니다.',
  renamed: '키 이름을 변경했습니다: {from} → {to}',
  expirySet: '{key} 키는 이제 {at}에 만료됩니다.',
  expiryNever: '{key} 키는 이제 만료되지 않습니다.',
  changeSent: '{key} 키의 변경을 승인 요청했습니다.',
  changeApplying: '{roleLabel} 역할은 변경에 승인이 필요 없어 {key} 키에 바로 적용합니다.',
  nothingToChange: '변경할 내용이 없습니다.',
  rotationSent: '{key} 키의 교체를 승인 요청했습니다.',
  rotationStarted: '{key} 키를 교체합니다. DM에서 *키 생성*을 눌러 후속 키를 만드세요.',
  rotationDelivering:
    '{key} 키를 교체합니다. 후속 키를 {place}에 저장하는 중이며, 저장되면 DM으로 알려 드립니다.',
  reassigned: '{key} 키의 소유자가 {user} 님으로 바뀌었습니다.',
  leakLifted: '{key} 키의 유출 표시를 해제했습니다. 다시 활성화할 수 있습니다.',
};
