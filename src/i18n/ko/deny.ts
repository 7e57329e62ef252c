import type { AreaOf } from '../catalog.js';
import type { deny as english } from '../en/deny.js';

export const deny: AreaOf<typeof english> = {
  title: '요청 거절',
  submit: '거절',
  intro: '{requester}님이 요청한 API 키를 거절합니다: *{name}*',
  reasonHint: '선택 사항입니다. 요청자와 승인 스레드에 표시됩니다.',
  checking: '이 요청을 결정할 수 있는지 확인하는 중…',
  working: '거절을 기록하는 중…',
  denied: '거절했습니다. 요청자에게 알렸고, 승인 메시지에도 표시됩니다.',
};
