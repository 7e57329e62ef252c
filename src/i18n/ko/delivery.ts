import type { AreaOf } from '../catalog.js';
import type { delivery as en } from '../en/delivery.js';

/** 키를 쓰는 곳으로 바로 전달하기 (product.md §12): 전달 위치, 저장된 곳, 실패 이유. */
export const delivery: AreaOf<typeof en> = {
  deliverToLabel: '전달 위치',
  deliverToHint:
    '대상을 고르면 마지막 승인 때 Create key 클릭 없이 키가 저장되며, 누구도 시크릿을 보지 않습니다.',
  toRequester: '나에게 (시크릿은 한 번만 표시)',
  toGitHub: 'GitHub Actions 저장소 {repository}',
  toGitHubEnvironment: 'GitHub Actions 저장소 {repository}의 {environment} 환경',
  toVault: 'Vault 경로 {path}',
  placeGitHub: '{repository}의 GitHub Actions 시크릿 {names}',
  placeGitHubEnvironment: '{repository}의 {environment} 환경 GitHub Actions 시크릿 {names}',
  placeVault: 'Vault KV 경로 {path}',
  approvalLine:
    '*전달 위치:* {place}. 마지막 승인이 끝나면 키가 생성되어 이곳에 저장되며, 누구도 시크릿을 보지 않습니다.',
  deliveredText: 'API 키 {keyName}을(를) {place}에 저장했습니다.',
  deliveredDetail:
    'Key ID `…{suffix}`, 권한 {role}, {expiry}. 시크릿은 ClickHouse에서 곧바로 그곳으로 전달되어 요청자를 포함해 아무도 보지 않았습니다.',
  rotatedText: 'API 키 {keyName}을(를) 일정에 따라 {place}에서 교체했습니다. 새 키는 `…{suffix}`입니다.',
  expiresNever: '만료 없음',
  expiresAt: '만료 {date}',
  failedText: 'API 키 {keyName}을(를) {place}에 저장하지 못했습니다.',
  failedDetail: '{by, select, clickhouse {ClickHouse의 응답} other {대상의 응답}}: {detail}',
  failedNoDetail: '실패 사유가 전달되지 않았습니다. 자세한 내용은 Keyhouse 로그에서 확인할 수 있습니다.',
  failedKeyDeleted:
    '이 요청으로 생성한 키는 삭제했습니다(아무도 시크릿을 보지 않았습니다). 요청은 승인된 상태로 남아 있으니, 대상을 고친 뒤 *다시 시도*를 누르세요.',
  failedKeyLeft:
    'Keyhouse가 생성한 키를 아직 삭제하는 중입니다(아무도 시크릿을 보지 않았습니다). 잠시 후 *다시 시도*를 누르세요.',
  tryAgain: '다시 시도',
  rotationFailed:
    ':warning: {keyName} (`…{suffix}`)의 예약 교체에서 새 키를 {place}에 저장하지 못했습니다. {said} 새 키는 삭제했으며 현재 키는 계속 활성 상태입니다. Keyhouse가 매 주기마다 다시 시도합니다.',
  listPlace: '저장 위치: {place}',
  notOffered: '이 권한에 제공되는 전달 위치 중 하나를 고르세요.',
  taken:
    '{place}에는 이미 {holder, select, key {{key} 키가} other {진행 중인 요청의 키가}} 있으며, 한 위치에는 키 하나만 둘 수 있습니다. 그 키를 교체하거나 다른 위치를 고르세요.',
  unavailable:
    '정책에서 이 권한에 더 이상 {destination} 전달 위치를 제공하지 않아 아무것도 만들지 않았습니다. 관리자에게 문의하세요.',
};
