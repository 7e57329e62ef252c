import type { AreaOf } from '../catalog.js';
import type { spans as english } from '../en/spans.js';

export const spans: AreaOf<typeof english> = {
  never: '만료 없음',
  noLimit: '제한 없음',
  inSpan: '{span} 후',
  spanAgo: '{span} 전',
  untilLikeOld: '{until}까지 (교체되는 키와 같음)',
  neverLikeOld: '만료 없음 (교체되는 키와 같음)',
  noLaterThan: '{line}, 단 {until}을 넘지 않음',
  keyRole: '권한 {role}',
  keyExpires: '만료 {date}',
  keyExpired: '⚠️ *만료됨* {date}',
  keyExpiredNoDate: '⚠️ *만료됨*',
  keyOwner: '소유자 {owner}',
  keyOutside: 'Keyhouse 밖에서 생성됨',
  keyState: '{state, select, enabled {활성} other {비활성}}',
};
