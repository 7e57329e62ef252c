import type { AreaOf } from '../catalog.js';
import type { errors as english } from '../en/errors.js';

export const errors: AreaOf<typeof english> = {
  notConfirmed:
    'ClickHouse가 요청 처리를 확인해 주지 않아 반영되었는지 알 수 없습니다. 다시 시도하기 전에 ' +
    '`{command} list`로 확인하세요. 참조 ID: {reference}',
  wentWrong: 'Keyhouse에서 문제가 발생했습니다. 참조 ID: {reference}',
};
