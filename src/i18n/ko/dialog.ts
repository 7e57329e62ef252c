import type { AreaOf } from '../catalog.js';
import type { dialog as english } from '../en/dialog.js';

export const dialog: AreaOf<typeof english> = {
  cancel: '취소',
  close: '닫기',
  done: '완료',
  resultHere: '결과는 여기에 표시됩니다. 창을 닫아도 변경은 계속 진행됩니다.',
  lookingUp: 'ClickHouse에서 키를 조회하는 중…',
  keyName: '키 이름',
  role: '권한',
  expiry: '만료',
  reason: '사유',
  chooseRole: '권한 선택',
  chooseExpiry: '만료 기간 선택',
  longestFor: '{role}의 최대 기간: {longest}',
  forApprovers: '승인자에게 보여집니다.',
  fromChange: '변경이 적용되는 시점부터 계산됩니다.',
  outOfDate: '이 창의 정보가 오래되었습니다. 다시 열어 주세요.',
  nothingDone: '아무것도 변경되지 않았습니다: {problems}',
  nothingChanged: '아무것도 변경되지 않았습니다. {problems}',
};
