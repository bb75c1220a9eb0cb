import type { ReferralsConfig } from '../config';

/** The programme's referral rules in plain words (pure). */
export function programmeTerms(s: ReferralsConfig): string[] {
  const yuan = (minor: number) => (minor / 100).toFixed(2);
  return [
    'Every member has a referral code and a share link; a friend enters the code when signing up.',
    `When the friend's first purchase of at least ${yuan(s.minPurchaseAmount)} yuan is recorded, the inviter gets ` +
      `${s.inviterPoints} points and the friend ${s.inviteePoints} points` +
      (s.inviteeDiscount > 0
        ? `; the friend also gets ${yuan(s.inviteeDiscount)} yuan off that first order.`
        : '.'),
    'Each invited friend is rewarded once. Using your own code, or inviting the person who invited you, is refused.',
    s.capPerPeriod > 0
      ? `An inviter is rewarded for at most ${s.capPerPeriod} friends per ${s.capPeriodText}; further referrals in that period are refused.`
      : 'There is no limit on how many friends an inviter is rewarded for.',
    `If the qualifying purchase is refunded within ${s.refundWindowText}, both rewards are taken back.`,
  ];
}
