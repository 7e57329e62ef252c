import type { AreaOf } from '../catalog.js';
import type { edit as english } from '../en/edit.js';

export const edit: AreaOf<typeof english> = {
  title: 'API 키 수정',
  save: '저장',
  editing: '수정할 키: {key}',
  rules:
    '이름 변경과 만료 단축은 바로 적용됩니다. 만료 연장이나 권한 변경은 새 키를 요청할 때처럼 승인을 거칩니다.',
  reasonHint: '변경에 승인이 필요할 때 승인자에게 보여집니다.',
  keepRole: '현재 권한 유지',
  keepExpiry: '현재 만료 유지',
  working: '변경 사항을 *{name}* 키에 적용하는 중…',
};
