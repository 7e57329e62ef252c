import type { AreaOf } from '../catalog.js';
import type { timers as english } from '../en/timers.js';

export const timers: AreaOf<typeof english> = {
  expiryWarning: '⏳ ClickHouse API 키 {key}의 만료가 다가옵니다: {when}',
  role: '역할: {role}',
  expiryActions: '*연장*은 더 늦은 만료일을 요청하고, *교체*는 새 시크릿으로 후속 키를 만듭니다.',
  extend: '연장',
  rotate: '교체',
  expired: '⌛ ClickHouse API 키 {key}의 만료 시각({when})이 지나 더 이상 작동하지 않습니다.',
  expiredText: 'ClickHouse API 키 {key}의 만료 시각({when})이 지났습니다.',
  willDelete: 'Keyhouse가 {when}에 이 키를 삭제합니다.',
  expiredDeleted: '🗑️ {when}에 만료된 ClickHouse API 키 {key}: 정책에 따라 삭제했습니다.',

  staleNeverUsed: '💤 ClickHouse API 키 {key}: {when}에 생성된 뒤 한 번도 사용되지 않았습니다.',
  staleNotUsed: '💤 ClickHouse API 키 {key}: {when} 이후 사용되지 않았습니다.',
  staleNeverUsedText: 'ClickHouse API 키 {key}: 한 번도 사용되지 않았습니다. 유지할까요?',
  staleNotUsedText: 'ClickHouse API 키 {key}: {when} 이후 사용되지 않았습니다. 유지할까요?',
  staleChoices:
    '*유지*하면 그대로 두고, 계속 사용하지 않으면 {when}에 다시 묻습니다. *비활성화*하면 작동을 멈추며 ' +
    '다시 활성화할 수 있습니다. *삭제*하면 영구히 제거됩니다.',
  keep: '유지',
  disable: '비활성화',
  delete: '삭제',
  confirmTitle: '이 키를 삭제할까요?',
  confirmText: '{key} 키는 즉시, 영구히 작동을 멈춥니다.',
  cancel: '취소',
  kept: '✅ {user} 님이 {key} 키를 유지했습니다. 계속 사용하지 않으면 {when}에 다시 묻습니다.',
  keptText: '{key} 키를 유지했습니다. 계속 사용하지 않으면 {when}에 다시 묻습니다.',
  staleDone: '{kind, select, disabled {⏸️} other {🗑️}} {done} ({user} 님)',

  approvers: '승인자 여러분',
  remind: '🔔 {who}: {user} 님의 *{name}* 요청이 {waited}째 대기 중입니다.',
  escalate: '📣 {who}: {user} 님의 *{name}* 요청이 {waited}째 대기 중이며 아직 결정이 필요합니다.',
  cancelled: '🚫 취소됨: {user} 님이 Slack에서 비활성화되어 *{name}* 요청은 더 이상 유효하지 않습니다.',

  offboardOutcome:
    '{outcome, select, disabled {⏸️ 비활성화됨} deleted {🗑️ 삭제됨} reported {👀 그대로 둠} ' +
    'already_disabled {⏸️ 이미 비활성 상태였음} failed {⚠️ 변경하지 못했습니다. 여기서 조치하세요} ' +
    'other {↩️ 그대로 둠: 소유자가 바뀌었거나 소유자가 돌아왔습니다}}',
  reactivated:
    '↩️ {user} 님이 Slack에서 다시 활성화되었습니다 ({via, select, event {Slack 이벤트로 확인} other {일일 점검에서 확인}}). ' +
    '오프보딩이 끝났습니다. {action, select, report {이 사용자의 키는 보고만 되었습니다.} disable {오프보딩으로 ' +
    '비활성화된 키는 비활성 상태로 유지되며, 관리자가 `list all`에서 활성화하거나 소유자를 바꿀 수 있습니다.} ' +
    'other {오프보딩으로 삭제된 키는 복구되지 않으며, 관리자가 `list all`에서 나머지 키를 활성화하거나 소유자를 ' +
    '바꿀 수 있습니다.}} 앞으로 받는 키는 그대로 둡니다.',
  offboarded:
    '🚪 {user} 님이 Slack에서 비활성화되었습니다 ({via, select, event {Slack 이벤트로 확인} other {일일 점검에서 확인}}). ' +
    '이 사용자가 소유한 키 {count, plural, other {#개}}. {action, select, report {정책에 따라 보고만 합니다.} ' +
    'disable {정책에 따라 비활성화합니다.} other {정책에 따라 삭제합니다.}}',
  offboardedText: '사용자 {user} 비활성화됨: 키 {count, plural, other {#개}}',
  offboardMore: '외 {count}개: `list all`에서 확인하세요.',
  offboardVanished: '키 {count, plural, other {#개}}는 이미 ClickHouse에서 사라졌습니다.',
  offboardCancelled: '이 사용자의 요청 {count, plural, other {#개}}를 취소했습니다.',
  offboardNoRequests: '대기 중인 요청은 없었습니다.',
};
