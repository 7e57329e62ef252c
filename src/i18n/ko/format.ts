import type { AreaOf } from '../catalog.js';
import type { format as english } from '../en/format.js';

export const format: AreaOf<typeof english> = {
  daysAhead: '{days, plural, =0 {오늘} =1 {내일} other {#일 후}}',
  daysAgo: '{days, plural, =0 {오늘} =1 {어제} other {#일 전}}',
  minutes: '{count, plural, other {#분}}',
  hours: '{count, plural, other {#시간}}',
  days: '{count, plural, other {#일}}',
  never: '없음',
  neverExpires: '만료 없음',
  expires: '{when} 만료',
  expired: '{when} 만료됨',
  unknownTime: '알 수 없는 시각',
  fromCreation: '생성 시점부터 {duration} (지금 생성하면 {until}경 만료)',
  plainDate: '{date} ({zone} 기준)',
  noneListed: '(없음)',
  moreListed: '… 외 {count, number}개',
};
