import type { AreaOf } from '../catalog.js';
import type { keys as english } from '../en/keys.js';

export const keys: AreaOf<typeof english> = {
  titleMine: '내 ClickHouse API 키',
  titleAll: '모든 ClickHouse API 키',
  summary: '{title} ({total}개)',
  summaryPaged: '{title} ({total}개) — {page}/{pages}페이지',
  count: '{total, plural, other {키 #개}}',
  pageLine: '{page}/{pages}페이지 · {total, plural, other {키 #개}}',
  emptyPage: '이 페이지에는 더 이상 키가 없습니다.',
  emptyMine: '보유한 API 키가 없습니다. `{command}`로 요청하세요.',
  emptyAll: '이 조직에는 API 키가 없습니다.',
  previous: '이전',
  next: '다음',

  enabled: '활성',
  disabled: '⏸️ *비활성*',
  leaked: '🚨 *유출됨* · {state, select, enabled {활성} other {비활성}}',
  selfKey: '🔒 *Keyhouse 자체 키* (ClickHouse 콘솔에서 관리하세요)',
  unnamed: '_이름 없음_',
  owner: '소유자 {user}',
  outside: 'Keyhouse 밖에서 생성됨',
  expired: '⚠️ *만료됨*',
  expiredAt: '⚠️ {when} *만료됨*',
  expires: '{when} 만료',
  neverExpires: '만료 없음',
  neverUsed: '사용 기록 없음',
  lastUsed: '마지막 사용 {when}',
  lastUsedUnknown: '마지막 사용 시각 알 수 없음',
  unknownTime: '알 수 없는 시각',
  retired: '🔁 교체로 *폐기됨* · 후속 키 {successor}',
  retiring: '🔁 {when} *폐기 예정* · 후속 키 {successor}',
  successorUnknown: '알 수 없음',

  menuDisable: '비활성화',
  menuEnable: '활성화',
  menuEdit: '편집',
  menuRotate: '교체',
  menuDelete: '삭제',
  menuLift: '유출 표시 해제',
  menuReassign: '소유자 변경',

  inDays: '{days, plural, =0 {오늘} =1 {내일} other {#일 후}}',
  daysAgo: '{days, plural, =1 {어제} other {#일 전}}',

  duration:
    '{unit, select, day {{n, plural, other {#일}}} hour {{n, plural, other {#시간}}} other {{n, plural, other {#분}}}}',
  durationNever: '만료 없음',
};
