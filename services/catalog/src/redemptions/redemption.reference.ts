import type { CatalogContext } from '../context';
import type { RedemptionRow } from './redemption.entity';

/** `Redemption` references, batched, with the same object-level access as `redemption(id)`. */
export async function resolveRedemptionReference(
  ref: { id: string },
  ctx: CatalogContext,
): Promise<RedemptionRow | null> {
  const row = await ctx.loaders.redemption.load(String(ref.id));
  if (row) ctx.app.redemptions.assertCanRead(ctx.principal, row);
  return row;
}
