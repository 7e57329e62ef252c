import type { AreaOf } from '../catalog.js';
import type { review as english } from '../en/review.js';

export const review: AreaOf<typeof english> = {
  title: '점검할 API 키',
  stale: '💤 {when} 이후 사용 안 함',
  staleNeverUsed: '💤 사용 기록 없음',
  noOwner: '👤 Keyhouse 소유자 없음 (Keyhouse 밖에서 생성됨)',
  ownerDeactivated: '👤 소유자가 Slack에서 비활성화됨',
  retiring: '🔁 교체 후 폐기 예정',
  noFingerprint: '🔏 시크릿 지문 기록 없음',
  nothing:
    '점검할 키가 없습니다. {staleAfter} 동안 쓰지 않은 키도, 소유자가 없는 키도, 폐기 예정인 키도 없습니다.',
  nothingStaleOff:
    '점검할 키가 없습니다. 정책에서 미사용 키 점검이 꺼져 있고, 소유자가 없는 키도, 폐기 예정인 키도 없습니다.',
};
