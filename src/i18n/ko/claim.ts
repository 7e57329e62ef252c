import type { AreaOf } from '../catalog.js';
import type { claim as english } from '../en/claim.js';

export const claim: AreaOf<typeof english> = {
  approved:
    '✅ API 키 *{name}* 요청이 {how, select, policy {정책에 따라 자동 승인되었습니다} people {승인되었습니다 (승인: {who})} other {승인되었습니다}}.',
  validUntil: '이 버튼은 {at}({relative})까지 유효합니다.',
  clickToCreate:
    '*키 생성* 버튼을 누르면 키가 생성되고, 시크릿이 바로 이 자리에 본인에게만 한 번 표시됩니다.',
  createKey: '키 생성',
  openText:
    'API 키 요청 {name}이(가) {how, select, policy {정책에 따라 자동 승인되었습니다} people {승인되었습니다 (승인: {who})} other {승인되었습니다}}. 키 생성을 눌러 키를 만드세요. 시크릿은 한 번만 표시됩니다.',
  openTextUntil:
    'API 키 요청 {name}이(가) {how, select, policy {정책에 따라 자동 승인되었습니다} people {승인되었습니다 (승인: {who})} other {승인되었습니다}}. 키 생성을 눌러 키를 만드세요({until}까지 유효). 시크릿은 한 번만 표시됩니다.',
  created: '🔑 키가 생성되었습니다 ({at}). 시크릿은 한 번 표시되었습니다.',
  createdText: '{name} 키가 생성되었습니다 ({at}). 시크릿은 한 번 표시되었습니다.',
  expired: '⌛ 승인이 만료되었습니다. `{command}` 명령으로 키를 다시 요청하세요.',
  expiredText: '{name} 승인이 만료되었습니다. {command}로 키를 다시 요청하세요.',
  changeApplied: '{name} 변경이 적용되었습니다.',
  changeExpired: '승인된 {name} 변경이 만료되었습니다.',
  changeFailed:
    'API 키 *{name}* 변경이 {how, select, policy {정책에 따라 자동 승인되었지만} people {승인되었지만 (승인: {who})} other {승인되었지만}} 적용하지 못했습니다. *변경 적용* 버튼을 눌러 다시 시도하세요.',
  applyChange: '변경 적용',
};
