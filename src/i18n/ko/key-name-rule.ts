import type { AreaOf } from '../catalog.js';
import type { keyNameRule as english } from '../en/key-name-rule.js';

export const keyNameRule: AreaOf<typeof english> = {
  rule: '{length}, {allowed}만 쓸 수 있습니다.',
  between: '{min}~{max}자',
  exactly: '{n, plural, other {#자}}',
  notFirst: '이름은 {what}(으)로 시작할 수 없습니다.',
  pattern: '이름이 다음 패턴과 일치해야 합니다: {pattern}',
  letters: '영문자',
  lowers: '영문 소문자',
  uppers: '영문 대문자',
  digits: '숫자',
  spaces: '공백',
  underscores: '밑줄(_)',
  dots: '마침표(.)',
  dashes: '하이픈(-)',
  letter: '영문자',
  lower: '영문 소문자',
  upper: '영문 대문자',
  digit: '숫자',
  space: '공백',
  underscore: '밑줄(_)',
  dot: '마침표(.)',
  dash: '하이픈(-)',
};
