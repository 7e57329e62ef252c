import type { AreaOf } from '../catalog.js';
import type { audit as english } from '../en/audit.js';

export const audit: AreaOf<typeof english> = {
  keyhouse: 'Keyhouse (자동)',
  policy: 'Keyhouse (정책)',
  /** What was done, and to what (`{subject}`), after who did it: each language's order. */
  verb:
    '{verb, select, requested {: {subject} 요청} approved {: {subject} 승인} denied {: {subject} 거절} ' +
    'lapsed {: {subject} 만료 처리} withdrew {: {subject} 철회} released {: {subject} 해제} cancelled {: ' +
    '{subject} 취소} created {: {subject} 생성} revealed {: {subject} 시크릿 표시} delivered {: {subject} 시크릿 ' +
    '전달} enabled {: {subject} 활성화} disabled {: {subject} 비활성화} deleted {: {subject} 삭제} edited {: ' +
    '{subject} 편집} changed {: {subject} 변경} managed {: {subject} 관리 시도} vanished {: {subject} 사라진 것을 ' +
    '확인} kept {: {subject} 유지} lifted {: {subject} 유출 표시 해제} reassigned {: {subject} 소유자 변경} retiring ' +
    '{: {subject} 폐기 시작} leakSeen {: {subject} 게시된 시크릿 발견} leakDisabled {: {subject} 비활성화 (유출)} ' +
    'leakDeleted {: {subject} 삭제 (유출)} leakEnforced {: {subject} 다시 비활성화 (유출)} driftSeen {: {subject} ' +
    'Keyhouse 외부 변경 발견} driftDisabled {: {subject} 비활성화 (Keyhouse 외부에서 생성)} driftMalformed {: ' +
    '{subject} 읽을 수 없는 콘솔 활동 기록} driftRead {: {subject} 콘솔 활동 로그 확인} expiryWarned {: {subject} 소유자에게 ' +
    '만료 예고} expiryTold {: {subject} 소유자에게 만료 알림} expiryDeleted {: {subject} 삭제 (만료)} staleAsked {: ' +
    '{subject} 소유자에게 유지 여부 확인} reminded {: {subject} 승인자에게 다시 알림} escalated {: {subject} 관리자에게 결정 요청} ' +
    'offboardStarted {: {subject} 소유자 오프보딩 시작} offboardApplied {: {subject} 오프보딩 정책 적용} ' +
    'offboardReported {: {subject} 오프보딩 보고} offboardChecked {: {subject} Slack에서 소유자 상태 확인} ownerBack ' +
    '{: {subject} 소유자 복귀 확인} retired {: {subject} 교체 후 폐기} headPosted {: {subject} 감사 체인 헤드 게시} ' +
    'chainLinked {: {subject} 이전 이벤트를 감사 체인에 연결} ' +
    'refusedEvent {: {subject} 이벤트 기록 실패} serviceRoleMade {: {subject} 서비스 역할 생성} serviceRoleCleaned {: {subject} 사용하지 않는 서비스 역할 정리} ' +
    'leakOutside {: {subject} Slack 밖에서 발견된 시크릿 확인} announced {: {subject} 재시작 후 요청 게시} other {: {subject} `{action}` 실행}}',
  forWhom: '({user} 님의 요청)',
  started: '_(시작됨)_',
  failed: '_(실패)_',
  refused: '_(거부됨)_',
  aRequest: '어떤 요청',
  aKey: '어떤 키',
  keepExpiry: '이전 키의 만료 시점',
  titleAll: '최근 감사 이벤트',
  titleKey: '키 {key}의 최근 감사 이벤트',
  titleUser: '{user} 님 관련 최근 감사 이벤트',
  heading: '*{title}* (최신순)',
  empty: '{title}: 기록된 이벤트가 없습니다.',
  count: '{title}: {count, plural, other {#건}}',
  refusedToRead:
    'Keyhouse 관리자만 감사 로그를 볼 수 있습니다. 키에 무슨 일이 있었는지 알아야 한다면 관리자에게 문의하세요.',
};
