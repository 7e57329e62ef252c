import type { AreaOf } from '../catalog.js';
import type { help as english } from '../en/help.js';

export const help: AreaOf<typeof english> = {
  title: '{command} 사용법',
  intro:
    'Keyhouse에서 승인을 받아 ClickHouse Cloud API 키를 발급받을 수 있습니다. 요청이 승인되면 ' +
    '*키 생성* 버튼이 전송되고, 버튼을 누르는 순간 키가 생성되며 시크릿은 한 번만 표시됩니다.',
  introNoRequest:
    'Keyhouse에서 승인을 받아 ClickHouse Cloud API 키를 발급받을 수 있습니다. 여기서 내 API 키를 볼 수 있으며, ' +
    '새 키 요청은 정책에 지정된 사용자만 할 수 있습니다.',
  mayNotRequest: 'API 키를 요청할 권한이 없습니다. 요청 권한은 {admins}에게 문의하세요.',
  request: '`{command}` 또는 `{command} request`: 새 ClickHouse Cloud API 키 요청',
  list: '`{command} list`: 내 API 키 목록',
  listAll: '`{command} list all`: 조직의 모든 API 키 (승인자와 관리자)',
  review: '`{command} review`: 오래 쓰지 않은 키, 소유자가 없는 키, 교체 후 폐기될 키 점검 (관리자)',
  audit:
    '`{command} audit`, `{command} audit <키 이름 또는 …끝자리>`, `{command} audit @사용자`: 누가 무엇을 했는지 최신순으로 (관리자)',
  help: '`{command} help`: 이 도움말',
  unknown: '알 수 없는 명령입니다: `{command} {word}`',
};
