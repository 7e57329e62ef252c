import type { AreaOf } from '../catalog.js';
import type { errors as english } from '../en/errors.js';

export const errors: AreaOf<typeof english> = {
  notConfirmed:
    'ClickHouse가 요청 처리를 확인해 주지 않아 반영되었는지 알 수 없습니다. 다시 시도하기 전에 ' +
    '`{command} list`로 확인하세요. 참조 ID: {reference}',
  wentWrong: 'Keyhouse에서 문제가 발생했습니다. 참조 ID: {reference}',
  notAllowed: '이 작업을 할 권한이 없어 아무것도 하지 않았습니다. 참조 ID: {reference}',
  notFound: '대상이 더 이상 없습니다. 그사이 삭제되었거나 변경되었을 수 있습니다. 참조 ID: {reference}',
  alreadyDecided: '이미 결정된 건이라 아무것도 바뀌지 않았습니다. 참조 ID: {reference}',
  expired: '만료되어 아무것도 바뀌지 않았습니다. 참조 ID: {reference}',
  invalidInput: 'Keyhouse가 여기서 받은 값을 사용할 수 없습니다. 참조 ID: {reference}',
  conflict:
    '같은 시각에 다른 변경이 있었습니다. 다시 시도하기 전에 현재 상태를 확인하세요. 참조 ID: {reference}',
  auditFailed:
    'Keyhouse가 이 작업을 감사 로그에 기록하지 못해 작업을 수행하지 않았습니다. 참조 ID: {reference}',
  deliveryFailed: 'Keyhouse가 보내야 할 곳에 전달하지 못했습니다. 참조 ID: {reference}',
  createFailed: 'API 키를 만들지 못했습니다. 참조 ID: {reference}',
  noResponseUrl:
    'Slack이 이 요청에 답할 경로를 함께 보내지 않아 Keyhouse가 작업한 곳에 답할 수 없습니다. 메시지에서 ' +
    '다시 시도하거나 `{command}`를 사용하세요.',
};
