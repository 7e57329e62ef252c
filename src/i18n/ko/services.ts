import type { AreaOf } from '../catalog.js';
import type { services as english } from '../en/services.js';

export const services: AreaOf<typeof english> = {
  label: '서비스',
  placeholder: '서비스 선택',
  hint: '선택한 서비스에만 접근할 수 있는 키가 발급됩니다 ({access}).',
  noneMatch: '지금 이 역할에 해당하는 서비스가 없습니다. 관리자에게 정책 확인을 요청하세요.',
  unavailable: 'ClickHouse에서 서비스 목록을 읽지 못했습니다. 잠시 후 다시 시도하세요.',
  line: '*서비스* ({access}): {services}',
  renamed: '{name} (이전 이름: {was})',
  deleted: '~{was}~ (콘솔에서 삭제됨)',
  accessRead: '읽기',
  accessManage: '관리',
  accessQueryEndpoints: 'Query API 엔드포인트',
  none: '서비스를 하나 이상 선택하세요.',
  notOffered: '선택한 서비스 중 이 역할에 더 이상 제공되지 않는 서비스가 있습니다. 다시 선택하세요.',
  busy: '이 서비스들의 ClickHouse 역할을 지금 생성하거나 삭제하는 중입니다. 잠시 후 다시 눌러 주세요.',
  conflict:
    'ClickHouse에 Keyhouse가 만들지 않은 {roleName} 역할이 이미 있습니다. 관리자에게 이름 변경이나 삭제를 요청하세요.',
  widening: '키가 가진 것보다 많은 서비스를 선택했습니다. 승인이 필요합니다.',
};
