import type { CatalogContext } from '../context';
import type { RedemptionRow } from './redemption.entity';

/** `Redemption` references, batched; access is `catalogEntityPolicy`'s, as for `redemption(id)`. */
export function resolveRedemptionReference(
  ref: { id: string },
  ctx: CatalogContext,
): Promise<RedemptionRow | null> {
  return ctx.loaders.redemption.load(String(ref.id));
}
