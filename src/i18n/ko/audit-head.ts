import type { AreaOf } from '../catalog.js';
import type { auditHead as english } from '../en/audit-head.js';

export const auditHead: AreaOf<typeof english> = {
  text:
    '{day} (UTC) 감사 체인 헤드: 이벤트 {seq}, {head}. 이 메시지를 보관하세요. 그때까지의 기록이 바뀌지 않았음을 ' +
    '확인하려면 다음을 실행하세요: {npm}',
  title: '🔗 {day} (UTC) *감사 체인 헤드*: 이벤트 *{seq}*와 그 해시입니다.\n```{head}```',
  keep:
    '*이 메시지를 보관하세요.* 각 이벤트의 해시는 그 이전의 모든 이벤트를 포함하므로, 저장된 체인이 이 헤드를 ' +
    '유지하는 한 데이터베이스에 쓸 수 있는 사람이라도 그때까지의 기록을 바꾸거나 지우지 않은 것입니다. ' +
    'Keyhouse가 쓰는 데이터베이스에서 다음으로 확인하세요:\n`{npm}`\n또는 컨테이너 이미지에서:\n`{built}`',
  answers: '체인이 이 헤드를 유지하면 `ok …`로 답하고, 그렇지 않으면 처음으로 달라진 이벤트를 알려 줍니다.',
};
