import type { AreaOf } from '../catalog.js';
import type { newcomer as english } from '../en/newcomer.js';

export const newcomer: AreaOf<typeof english> = {
  auditWhoIs:
    '*@{handle}*: 어떤 사용자인지 알 수 없습니다. Slack은 @ 자동 완성에서 사용자를 선택했을 때만 멘션으로 전달합니다. ' +
    '`{command} audit @이름`처럼 자동 완성에서 선택해 주세요.',
  waitingForClickHouse:
    '⏳ ClickHouse 응답을 기다리는 중입니다 (API는 10초에 요청 10개까지 허용): 약 {seconds, plural, other {#초}}. ' +
    '응답이 오면 이 메시지가 결과로 바뀝니다.',
};
