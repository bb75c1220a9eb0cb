import jwt from 'jsonwebtoken';
import {
  assertCanReadMember,
  assertCanReadMemberPrivate,
  assertMerchantScope,
  ErrorCode,
  maskEmail,
  maskPhone,
  TokenService,
  type AppError,
} from '@loyalty/platform';

const tokens = new TokenService('unit-test-secret-0123456789');
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as AppError).code;
  }
  return 'no error';
};

describe('TokenService', () => {
  it('round-trips every role', () => {
    expect(tokens.verify(tokens.sign({ role: 'member', sub: 'm1' }))).toEqual({ role: 'member', sub: 'm1' });
    expect(tokens.verify(tokens.sign({ role: 'partner', sub: 'p', merchantId: 'shop' }))).toEqual({
      role: 'partner',
      sub: 'p',
      merchantId: 'shop',
    });
    expect(tokens.fromHeader(`Bearer ${tokens.signService('ledger')}`)).toEqual({
      role: 'service',
      sub: 'ledger',
    });
    expect(tokens.fromHeader(undefined)).toBeNull();
  });

  it.each([
    [
      'another secret',
      jwt.sign({ role: 'admin' }, 'other-secret', {
        subject: 'a',
        issuer: 'loyalty-platform',
        audience: 'loyalty-graph',
      }),
    ],
    [
      'alg none',
      jwt.sign({ role: 'admin' }, '', {
        algorithm: 'none',
        subject: 'a',
        issuer: 'loyalty-platform',
        audience: 'loyalty-graph',
      }),
    ],
    ['expired', tokens.sign({ role: 'admin', sub: 'a' }, -10)],
    [
      'unknown role',
      jwt.sign({ role: 'root' }, 'unit-test-secret-0123456789', {
        subject: 'a',
        issuer: 'loyalty-platform',
        audience: 'loyalty-graph',
      }),
    ],
    [
      'partner without merchant',
      jwt.sign({ role: 'partner' }, 'unit-test-secret-0123456789', {
        subject: 'a',
        issuer: 'loyalty-platform',
        audience: 'loyalty-graph',
      }),
    ],
    ['garbage', 'abc.def.ghi'],
  ])('rejects a token signed with %s as UNAUTHENTICATED', (_case, token) => {
    expect(codeOf(() => tokens.verify(token))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('rejects a malformed header', () => {
    expect(codeOf(() => tokens.fromHeader('Basic abc'))).toBe(ErrorCode.UNAUTHENTICATED);
  });
});

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
