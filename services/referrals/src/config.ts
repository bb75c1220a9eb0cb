import { z } from 'zod';
import { durationMs, loadSettings, requireDuration, setting, type PlatformConfig } from '@loyalty/platform';

type Duration = ReturnType<typeof requireDuration>;

const count = setting.count();

/** The referral programme's variables (contract README), validated at start. */
export const referralsConfigSchema = z.object({
  /** REGULAR points credited to the inviter when an invitee qualifies. */
  REFERRAL_INVITER_POINTS: count.default(100),
  /** REGULAR points credited to the invitee when they qualify. */
  REFERRAL_INVITEE_POINTS: count.default(50),
  /** Smallest purchase (minor units) that qualifies an invitee's referral. */
  REFERRAL_MIN_PURCHASE_AMOUNT: count.default(1),
  /** Rewarded referrals per inviter within REFERRAL_CAP_PERIOD; 0 means no cap. */
  REFERRAL_CAP_PER_PERIOD: count.default(20),
  REFERRAL_CAP_PERIOD: setting.duration('REFERRAL_CAP_PERIOD').default('P30D'),
  /** A refund of the qualifying purchase within this window reverses the referral rewards. */
  REFERRAL_REFUND_WINDOW: setting.duration('REFERRAL_REFUND_WINDOW').default('P30D'),
  /** First-order discount (minor units off) the invitee is entitled to; 0 means none. */
  REFERRAL_INVITEE_DISCOUNT: count.default(1000),
  /** Share links are this prefix followed by the member's code. */
  REFERRAL_LINK_BASE: z.url().default('https://loyalty.example/join?ref='),
});

/** The referral programme's settings, read once at start. */
export interface ReferralsConfig {
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
  /** How often owed grants are looked for: the platform's OUTBOX_POLL_INTERVAL, at least 200 ms. */
  grantPollMs: number;
}

/** Reads and validates the referrals service's settings (a ConfigError names a bad variable). */
export function loadReferralsConfig(config: PlatformConfig): ReferralsConfig {
  const env = loadSettings(config, referralsConfigSchema);
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
    grantPollMs: Math.max(durationMs(requireDuration(config.env.OUTBOX_POLL_INTERVAL)), 200),
  };
}
