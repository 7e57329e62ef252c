import type { AreaOf } from '../catalog.js';
import type { spans as english } from '../en/spans.js';

export const spans: AreaOf<typeof english> = {
  duration:
    '{unit, select, day {{n, plural, other {#일}}} hour {{n, plural, other {#시간}}} other {{n, plural, other {#분}}}}',
  never: '만료 없음',
  noLimit: '제한 없음',
  inSpan: '{span} 후',
  spanAgo: '{span} 전',
  unknownTime: '알 수 없는 시각',
  fromCreation: '생성 시점부터 {span} (지금 생성하면 {until}경 만료)',
  neverExpires: '만료 없음',
  untilLikeOld: '{until}까지 (교체되는 키와 같음)',
  neverLikeOld: '만료 없음 (교체되는 키와 같음)',
  noLaterThan: '{line}, 단 {until}을 넘지 않음',
  oldKeyEnd: '기존 키의 만료 시점',
  ipNone: '(없음)',
  ipMore: '… 외 {count, number}개',
  keyRole: '권한 {role}',
  keyExpires: '만료 {date}',
  keyExpired: '⚠️ *만료됨* {date}',
  keyExpiredNoDate: '⚠️ *만료됨*',
  keyOwner: '소유자 {owner}',
  keyOutside: 'Keyhouse 밖에서 생성됨',
  keyState: '{state, select, enabled {활성} other {비활성}}',
};
