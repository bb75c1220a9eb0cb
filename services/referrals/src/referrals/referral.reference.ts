import type { ReferralsContext } from '../context';
import type { ReferralRow } from './referral.entity';

/** `Referral` references, batched through the request's DataLoader; access is `referralsEntityPolicy`'s. */
export function resolveReferralReference(
  ref: { id: string },
  ctx: ReferralsContext,
): Promise<ReferralRow | null> {
  return ctx.loaders.referral.load(String(ref.id));
}
