import type { AreaOf } from '../catalog.js';
import type { request as english } from '../en/request.js';

export const request: AreaOf<typeof english> = {
  title: 'API 키 요청',
  submit: '요청',
  intro:
    '승인되면 *키 생성* 버튼을 받습니다. 버튼을 누르는 순간 키가 생성되고, 시크릿은 본인에게 한 번만 표시됩니다.',
  introDelivery:
    '승인되면 *키 생성* 버튼을 받습니다. 단, *전달 위치*에서 대상을 고르면 마지막 승인과 함께 키가 그곳에 저장되며, 시크릿은 아무에게도 표시되지 않습니다.',
  keyNamePlaceholder: '예: etl-nightly',
  roleUpTo: '최대 {longest}',
  roleNoLimit: '만료 제한 없음',
  approvals: '{n, plural, =0 {승인 불필요} other {승인 #명}}',
  noRole: '*권한*\n요청할 수 있는 권한이 더 이상 없습니다.',
  expiryChooseRole: '*만료*: 먼저 권한을 선택하세요. 선택할 수 있는 기간은 권한에 따라 다릅니다.',
  expiryNone: '*만료*: 이 권한에는 선택할 수 있는 만료 기간이 없습니다. Keyhouse 관리자에게 문의하세요.',
  expiryHint: '키가 생성된 시점부터 계산됩니다. {role}의 최대 기간: {longest}',
  expiryPlaceholder: '키를 사용할 기간',
  reasonHint:
    '{min, plural, =0 {이 키가 필요한 이유를 적어 주세요.} other {이 키가 필요한 이유를 적어 주세요(최소 #자).}} 승인자에게 보여집니다.',
  ipLabel: 'IP 액세스 목록',
  ipHint:
    '한 줄에 하나씩, IPv4 주소나 CIDR 범위를 적고 필요하면 뒤에 설명을 붙이세요. 비워 두면 기본값이 적용됩니다: {fallback}',
  ipPolicyDefault: '정책 기본값',
  ipPlaceholder: '203.0.113.0/24 사무실 VPN',
  checking: '요청할 수 있는 권한을 확인하는 중…',
  working: '*{name}* 요청을 확인하고 보내는 중…',
  sentForApproval:
    '*{name}* 요청을 {channel} 채널에 보냈습니다(승인 {approvals, plural, other {#명}} 필요). 결정되면 Keyhouse가 DM으로 알려 드리며, 승인되면 그 메시지에 *키 생성* 버튼이 있습니다.',
  sentNoApproval: '*{name}* 요청은 승인이 필요 없습니다. Keyhouse가 보낸 DM에서 *키 생성* 버튼을 누르세요.',
  sentForApprovalDelivered:
    '*{name}* 요청을 {channel} 채널에 보냈습니다(승인 {approvals, plural, other {#명}} 필요). 마지막 승인과 함께 키가 {place}에 저장되며, Keyhouse가 DM으로 알려 드립니다.',
  sentNoApprovalDelivered:
    '*{name}* 요청은 승인이 필요 없습니다. 키를 {place}에 저장하는 중이며, 저장되면 Keyhouse가 DM으로 알려 드립니다.',
  recorded: '{name} 요청이 접수되었습니다.',
  nothingSaved: '저장된 내용이 없습니다. {problems}',
  nothingSavedRunAgain: '저장된 내용이 없습니다. {problems} 명령을 다시 실행해 고쳐 주세요.',
};
