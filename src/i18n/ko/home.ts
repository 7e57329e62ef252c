import type { AreaOf } from '../catalog.js';
import type { home as english } from '../en/home.js';

export const home: AreaOf<typeof english> = {
  title: 'Keyhouse API 키 관리',
  requestsTitle: '*진행 중인 요청*',
  requestsMore: '진행 중인 요청 {rest}개 더 있음',
  help: '`{command}`: API 키 요청 · `{command} list`: 메시지로 내 키 보기 · `{command} help`: 자세한 도움말',
  helpNoRequest: '`{command} list`: 메시지로 내 키 보기 · `{command} help`: 자세한 도움말',
  keysTitle: '*내 API 키*',
  keysTitleCount: '*내 API 키* ({count}개)',
  keysMore: '외 {rest}개 — `{command} list`로 모두 확인하세요',
  change: '{key} 변경',
  reminded: '🔔 {when} 승인자에게 다시 알림',
  escalated: '📣 {when} 관리자에게 요청함',
  createKey: '키 생성',
  pending: '⏳ 승인 대기 중',
  pendingUntil: '⏳ 승인 대기 중 · {when} 만료',
  approvedChange: '✅ 승인됨 — 적용 중',
  approvedClaim: '✅ 승인됨 — *키 생성*을 누르세요. 시크릿은 한 번만 표시됩니다',
  approvedClaimUntil: '✅ 승인됨 — *키 생성*을 누르세요. 시크릿은 한 번만 표시됩니다 · {when}까지 생성하세요',
  approvedLapsed: '⌛ 승인되었지만 키를 생성할 수 있는 기한이 지났습니다',
  creating: '🔧 생성 중',
  changeApplied: '🔑 변경 적용됨',
  keyCreated: '🔑 키 생성됨',
  denied: '⛔ 거절됨',
  expired: '⌛ 만료됨',
};
