import type { AreaOf } from '../catalog.js';
import type { keyDialogs as english } from '../en/key-dialogs.js';

export const keyDialogs: AreaOf<typeof english> = {
  rotateTitle: 'API 키 교체',
  rotateSubmit: '교체',
  rotateIntro:
    '교체할 키: {key}\n새 키는 이름, 권한, IP 액세스 목록을 그대로 이어받고, 평소처럼 *키 생성* 메시지로 전달되며 시크릿은 한 번만 표시됩니다. 겹침 기간이 끝나면 기존 키는 비활성화되고, 7일 뒤 삭제됩니다. {approval}',
  rotateIntroDelivered:
    '교체할 키: {key}\n새 키는 이름, 권한, IP 액세스 목록을 그대로 이어받고, 만들 수 있게 되는 즉시 클릭 없이 {place}에 저장됩니다. 시크릿은 아무에게도 표시되지 않습니다. 겹침 기간이 끝나면 기존 키는 비활성화되고, 7일 뒤 삭제됩니다. {approval}',
  roleNeedsNoApproval: '{role} 권한은 승인이 필요 없습니다.',
  rotateLikeNew: '새 키는 새로 요청한 키처럼 승인을 받아야 합니다(승인 {n, plural, other {#명}}).',
  rotateOwnerFree: '소유자이므로 승인 없이 교체할 수 있습니다.',
  rotateOwnerBounded:
    '소유자이므로 새 키가 기존 키의 승인된 만료 시점보다 늦게 만료되지 않는 한 승인 없이 교체할 수 있습니다. 더 늦게 만료되게 하려면 만료 연장처럼 승인을 받아야 합니다(승인 {n, plural, other {#명}}).',
  overlap: '겹침 기간',
  overlapHint: '새 키가 생성된 뒤에도 기존 키가 계속 동작하는 기간입니다.',
  keepNever: '만료 없음 (지금과 같음)',
  keepSameEnd: '지금과 같은 만료: {at}',
  rotateExpiryHint:
    '새 키의 만료입니다. 생성 시점부터 계산하거나 기존 키의 만료 시점을 따릅니다. {role}의 최대 기간: {longest}',
  reasonLaterEnd: '더 늦은 만료를 고르면 승인자에게 보여집니다.',
  rotating: '교체하는 중…',
  extendTitle: '만료 연장',
  extendSubmit: '연장',
  extendIntro: '연장할 키: {key}\n{approval}',
  extendNoApproval: '{role} 권한은 승인이 필요 없어 바로 적용됩니다.',
  extendApproval: '만료 연장은 새 키를 요청할 때처럼 승인을 받은 뒤 적용됩니다.',
  extending: '연장하는 중…',
  reassignTitle: '소유자 변경',
  reassignSubmit: '변경',
  reassignIntro:
    '이 키의 소유자를 바꿉니다: {key}\n새 소유자는 이 키를 관리할 수 있게 되며, 새 소유자와 기존 소유자 모두 DM으로 알림을 받습니다.',
  newOwner: '새 소유자',
  choosePerson: '사용자 선택',
  choosePersonToOwn: '키를 소유할 사용자를 선택하세요.',
  onlyAdminsReassign: '키의 소유자는 Keyhouse 관리자만 바꿀 수 있습니다.',
  reassigning: '소유자를 변경하는 중…',
  liftTitle: '유출 표시 해제',
  liftSubmit: '표시 해제',
  liftIntro:
    '{key}: 시크릿이 유출되어 비활성화된 키입니다. 표시를 해제하면 소유자나 관리자가 다시 활성화할 수 있으며, 그 전까지는 비활성 상태로 남습니다. 시크릿이 아직 누군가의 손에 있을 수 있으니 보통은 키를 교체하는 편이 낫습니다.',
  liftReasonHint: '유출된 시크릿이 더 이상 위험하지 않은 이유를 적어 주세요. 감사 로그에 남습니다.',
  lifting: '유출 표시를 해제하는 중…',
  deleteTitle: 'API 키 삭제',
  deleteSubmit: '삭제',
  deleteAsk: '{key} 키를 삭제할까요? 이 키를 쓰는 모든 곳이 즉시 동작을 멈춥니다. 되돌릴 수 없습니다.',
  menuGone: '이 메뉴가 가리키던 키가 더 이상 없습니다.',
  buttonGone: '이 버튼이 가리키던 키가 더 이상 없습니다.',
};
