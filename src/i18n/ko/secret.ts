import type { AreaOf } from '../catalog.js';
import type { secret as english } from '../en/secret.js';

export const secret: AreaOf<typeof english> = {
  header: '새 ClickHouse API 키',
  warning: '*이 시크릿은 다시 표시되지 않습니다. 지금 저장하세요* (예: 비밀번호 관리자).',
  keyId: '키 ID (Key ID)',
  keySecret: '키 시크릿 (Key Secret)',
  name: '이름',
  expires: '만료',
  tryIt: '사용해 보기',
  saved: '저장했습니다',
  onlyYou: '이 메시지는 본인에게만 보입니다. *저장했습니다* 버튼을 누르면 화면에서 사라집니다.',
  text: '새 ClickHouse 키 {name}이(가) 준비되었습니다 (한 번만 표시)',
};
