import type { CampaignsContext } from '../context';
import type { PurchaseRow } from './purchase.entity';

/** `Purchase` references, batched through the request's DataLoader. */
export function resolvePurchaseReference(
  ref: { id: string },
  ctx: CampaignsContext,
): Promise<PurchaseRow | null> {
  return ctx.loaders.purchase.load(String(ref.id));
}
