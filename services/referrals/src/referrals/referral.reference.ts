import type { ReferralsContext } from '../context';
import { referralsPolicy } from '../policy';
import type { ReferralRow } from './referral.entity';

/** `Referral` references, batched through the request's DataLoader and access-checked. */
export async function resolveReferralReference(
  ref: { id: string },
  ctx: ReferralsContext,
): Promise<ReferralRow | null> {
  const row = await ctx.loaders.referral.load(String(ref.id));
  if (row) referralsPolicy.readReferral(ctx.principal, row);
  return row;
}
