import { normalizeRegistration } from '../src/members/member.rules';

describe('member registration rules', () => {
  it('normalises contact data and the referral code', () => {
    expect(
      normalizeRegistration({
        displayName: '  Li Lei ',
        phone: '138-1234 5678',
        email: ' Li@Example.COM ',
        referralCode: ' abcd1234 ',
      }),
    ).toEqual({
      displayName: 'Li Lei',
      phone: '13812345678',
      email: 'li@example.com',
      referralCode: 'ABCD1234',
    });
  });

  it.each([
    [{ displayName: ' ', email: 'a@example.com' }, 'displayName'],
    [{ displayName: 'X', phone: '12345' }, 'phone'],
    [{ displayName: 'X' }, 'phone'],
  ])('refuses %j (field %s)', (input, field) => {
    expect(() => normalizeRegistration(input)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) }),
    );
  });
});
