import {
  assertCanReadMember,
  assertCanReadMemberPrivate,
  assertMerchantScope,
  ErrorCode,
  maskEmail,
  maskPhone,
  type AppError,
} from '@loyalty/platform';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as AppError).code;
  }
  return 'no error';
};

describe('object-level access', () => {
  const member = { role: 'member' as const, sub: 'm1' };
  const partner = { role: 'partner' as const, sub: 'p', merchantId: 'shop-a' };
  const admin = { role: 'admin' as const, sub: 'admin' };

  it('lets a member read only themself', () => {
    expect(codeOf(() => assertCanReadMember(member, 'm1'))).toBe('no error');
    expect(codeOf(() => assertCanReadMember(member, 'm2'))).toBe(ErrorCode.FORBIDDEN);
    expect(codeOf(() => assertCanReadMember(null, 'm1'))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('lets partners read members but not their private records', () => {
    expect(codeOf(() => assertCanReadMember(partner, 'm1'))).toBe('no error');
    expect(codeOf(() => assertCanReadMemberPrivate(partner, 'm1'))).toBe(ErrorCode.FORBIDDEN);
    expect(codeOf(() => assertCanReadMemberPrivate(admin, 'm1'))).toBe('no error');
  });

  it('keeps partners to their own merchant', () => {
    expect(codeOf(() => assertMerchantScope(partner, 'shop-a'))).toBe('no error');
    expect(codeOf(() => assertMerchantScope(partner, 'shop-b'))).toBe(ErrorCode.FORBIDDEN);
    expect(codeOf(() => assertMerchantScope(member, 'shop-a'))).toBe(ErrorCode.FORBIDDEN);
    expect(codeOf(() => assertMerchantScope(admin, 'shop-b'))).toBe('no error');
  });

  it('masks contact data', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+8613812345678')).toBe('+86138****5678');
    expect(maskEmail('lilei@example.com')).toBe('l***@example.com');
  });
});
