import type { AreaOf } from '../catalog.js';
import type { watch as english } from '../en/watch.js';

export const watch: AreaOf<typeof english> = {
  done:
    '{outcome, select, disabled {Keyhouse가 키를 비활성화했습니다} deleted {Keyhouse가 키를 삭제했습니다} ' +
    'reported {키는 계속 작동합니다. 정책이 유출을 보고만 합니다} already_disabled {시크릿이 처음 발견되었을 때 ' +
    'Keyhouse가 이미 키를 비활성화했습니다} already_gone {키가 ClickHouse에 더 이상 존재하지 않습니다} ' +
    'other {Keyhouse가 아직 키를 비활성화하지 못했습니다. 계속 시도하고 있으며, 관리자가 지금 비활성화할 수 있습니다}}',
  doneCounted:
    '{count}개 {outcome, select, disabled {비활성화됨} deleted {삭제됨} reported {계속 작동 중 (정책이 유출을 ' +
    '보고만 함)} already_disabled {이전 유출로 이미 비활성화됨} already_gone {이미 없음} ' +
    'other {아직 비활성화되지 않음: Keyhouse가 계속 시도 중}}',
  owner: '(소유자 {user})',
  moreKeys: '• 외 키 {count, plural, other {#개}}: {outcomes}',
  containsOurs:
    '⚠️ 이 메시지에 Keyhouse가 발급한 ClickHouse API 키 시크릿이 {count, plural, other {#개}} 들어 있습니다:',
  containsUnknown:
    '{also, select, yes {또한 이 메시지에는} other {⚠️ 이 메시지에는}} Keyhouse가 발급하지 않은 ClickHouse Cloud ' +
    'API 키 시크릿으로 보이는 문자열이 {count, plural, other {#개}} 들어 있습니다. ClickHouse Cloud 콘솔에서 ' +
    '해당 키를 비활성화하거나 교체하세요.',
  deleteIt:
    '이 메시지를 삭제하세요. 메시지를 읽을 수 있는 사람은 누구나 {total, plural, other {해당 키}}를 사용할 수 있습니다.',
  ownerOne:
    '🚨 {by, select, yes {{user} 님이 } bot {연동 앱 “{bot}”에서 } other {}}ClickHouse API 키 {key}의 시크릿을 {where}에 게시했습니다. ' +
    '{done}. 키를 교체해 새 시크릿을 받고, 이전 시크릿을 쓰던 곳을 모두 업데이트하세요.',
  ownerMany:
    '🚨 {by, select, yes {{user} 님이 } bot {연동 앱 “{bot}”에서 } other {}}ClickHouse API 키 {count}개의 시크릿을 {where}에 게시했습니다. ' +
    '각 키를 교체해 새 시크릿을 받고, 이전 시크릿을 쓰던 곳을 모두 업데이트하세요.',
  ownerMore: '외 키 {count, plural, other {#개}}: {outcomes}. 키 목록에서 교체하세요.',
  rotate: '교체',
  security:
    '🚨 유출: {by, select, yes {{user} 님이} bot {연동 앱 “{bot}”에서} other {누군가}} {where}에 ClickHouse 시크릿 ' +
    '{total, plural, other {#개}}를 게시했습니다.',
  securityUnknown:
    '• Keyhouse가 발급하지 않은 시크릿 {count, plural, other {#개}}: ClickHouse Cloud 콘솔에서 해당 키를 찾아 ' +
    '비활성화하세요.',
  driftWhat:
    '{what, select, created {생성} deleted {삭제} name_changed {이름 변경} role_changed {역할 변경} ' +
    'state_changed {활성/비활성 변경} date_changed {만료일 변경} ip_access_list_changed {IP 액세스 목록 변경} ' +
    'org_role_changed {조직 역할 변경} default_service_role_changed {기본 서비스 역할 변경} ' +
    'service_role_changed {서비스 역할 변경} roles_v2_changed {역할 변경} other {변경 ({type})}}',
  unknown: '알 수 없음',
  keyById: '키 `{id}`',
  someKey: '어떤 키',
  driftSecurity:
    '🔎 Keyhouse 외부 변경: {who} — {key} {what} ({owner, select, yes {{user} 님의 Keyhouse 키} other {Keyhouse ' +
    '키 아님}}).{disabled, select, disabled { Keyhouse가 이 키를 비활성화했습니다 (정책상 Keyhouse 밖에서 만든 키는 ' +
    '비활성화합니다).} failed { Keyhouse가 이 키를 비활성화하지 못했습니다. 관리자가 조치해야 합니다.} other {}}',
  driftOwner:
    '🔎 ClickHouse API 키 {key}이(가) Keyhouse 밖에서 {recreated, select, yes {다시 생성되었습니다} other ' +
    '{변경되었습니다}}: {who} — {what}. 예상하지 못한 변경이라면 Keyhouse 관리자에게 알리세요.',
};
