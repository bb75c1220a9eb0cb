import { requireDuration, type PlatformEnv } from '@loyalty/platform';

type Duration = ReturnType<typeof requireDuration>;

/** The referral programme's settings (contract README and platform config), read once at start. */
export interface ReferralSettings {
  /** REGULAR points credited to the inviter when an invitee qualifies. */
  inviterPoints: number;
  /** REGULAR points credited to the invitee when they qualify. */
  inviteePoints: number;
  /** Smallest purchase (minor units) that qualifies an invitee. */
  minPurchaseAmount: number;
  /** Rewarded referrals per inviter within `capPeriod`; 0: no cap. */
  capPerPeriod: number;
  capPeriod: Duration;
  capPeriodText: string;
  /** A refund of the qualifying purchase within this window reverses both rewards. */
  refundWindow: Duration;
  refundWindowText: string;
  /** Minor units off the invitee's first order; 0: no discount. */
  inviteeDiscount: number;
  /** Share links are this prefix followed by the code. */
  linkBase: string;
}

export function referralSettings(env: PlatformEnv): ReferralSettings {
  return {
    inviterPoints: env.REFERRAL_INVITER_POINTS,
    inviteePoints: env.REFERRAL_INVITEE_POINTS,
    minPurchaseAmount: env.REFERRAL_MIN_PURCHASE_AMOUNT,
    capPerPeriod: env.REFERRAL_CAP_PER_PERIOD,
    capPeriod: requireDuration(env.REFERRAL_CAP_PERIOD),
    capPeriodText: env.REFERRAL_CAP_PERIOD,
    refundWindow: requireDuration(env.REFERRAL_REFUND_WINDOW),
    refundWindowText: env.REFERRAL_REFUND_WINDOW,
    inviteeDiscount: env.REFERRAL_INVITEE_DISCOUNT,
    linkBase: env.REFERRAL_LINK_BASE,
  };
}
