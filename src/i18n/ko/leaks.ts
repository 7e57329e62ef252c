import type { AreaOf } from '../catalog.js';
import type { leaks as en } from '../en/leaks.js';

/** Slack 밖에서 찾은 유출 (product.md §13): GitHub 시크릿 스캐닝 알림과 스캐너 보고. */
export const leaks: AreaOf<typeof en> = {
  githubHeadline:
    '🚨 GitHub 유출: 시크릿 스캐닝이 저장소 *{repository}* 에서 ClickHouse 시크릿 {count, plural, other {#개}}를 찾았습니다 ({alert}).',
  reportHeadline:
    '🚨 *{source}* 유출 보고: ClickHouse 시크릿 {count, plural, other {#개}}가 발견되었습니다{where}.',
  reportWhere: ' (위치: {url})',
  alertLink: '<{url}|알림 #{number}>',
  alertPlain: '알림 #{number}',
  placeFile: '• `{path}` {line}번째 줄, 커밋 `{commit}`',
  placeFileNoLine: '• `{path}`, 커밋 `{commit}`',
  placeOther: '• 위치 유형: {type}',
  placeLink: ' (<{url}|보기>)',
  placesMore: '• 그 밖에 {count, plural, other {#곳}}',
  keyLine: '• *{name}* (…{suffix}), 소유자 {owner}: {done}',
  keysMore: '• 그 밖에 Keyhouse가 발급한 키 {count, plural, other {#개}}',
  notIssuedGithub:
    '• Keyhouse가 발급하지 않은 시크릿 {count, plural, other {#개}}: ClickHouse Cloud 콘솔에서 해당 API 키를 찾아 비활성화하세요. 그때까지 알림은 열린 상태로 둡니다.',
  notIssuedReport:
    '• Keyhouse가 발급하지 않은 시크릿 {count, plural, other {#개}}: ClickHouse Cloud 콘솔에서 해당 API 키를 찾아 비활성화하세요.',
  doneDisabled: 'Keyhouse가 키를 비활성화했습니다',
  doneDeleted: 'Keyhouse가 키를 삭제했습니다',
  doneReported: '키는 아직 활성 상태입니다 (정책상 유출을 보고만 합니다)',
  doneAlreadyDisabled: '이전 유출 때 이미 비활성화되었습니다',
  doneAlreadyGone: 'ClickHouse에 더 이상 없는 키입니다',
  doneFailed:
    'Keyhouse가 아직 키를 비활성화하지 못했습니다. 계속 시도하며, 관리자가 지금 비활성화할 수도 있습니다',
  ownerWhereGithub: 'GitHub 저장소 *{repository}* ({alert})에서',
  ownerWhereReport: '*{source}* 스캔{where}에서',
  ownerOne:
    '🚨 내 ClickHouse API 키 *{name}* (…{suffix})의 시크릿이 {where} 발견되었습니다. {done}. 키를 교체해 새 시크릿을 받고, 이전 시크릿을 쓰던 곳을 업데이트하세요.',
  ownerMany:
    '🚨 내 ClickHouse API 키 {count}개의 시크릿이 {where} 발견되었습니다. 각 키를 교체해 새 시크릿을 받고, 이전 시크릿을 쓰던 곳을 업데이트하세요.',
  ownerKey: '키 *{name}* (…{suffix}): {done}',
  ownerMore: '그 밖에 키 {count, plural, other {#개}}: 내 키 목록에서 교체하세요.',
  rotate: '교체',
  resolutionComment:
    'Keyhouse가 폐기함: ClickHouse Cloud API 키 {count, plural, other {#개}}({suffixes})는 더 이상 작동하지 않습니다.',
};
