import type { CatalogContext } from '../context';
import { assertCanReadRedemption } from '../policy';
import type { RedemptionRow } from './redemption.entity';

/** `Redemption` references, batched, with the same object-level access as `redemption(id)`. */
export async function resolveRedemptionReference(
  ref: { id: string },
  ctx: CatalogContext,
): Promise<RedemptionRow | null> {
  const row = await ctx.loaders.redemption.load(String(ref.id));
  if (row) assertCanReadRedemption(ctx.principal, row);
  return row;
}
