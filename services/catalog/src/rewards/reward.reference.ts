import type { CatalogContext } from '../context';
import type { RewardRow } from './reward.entity';

/** Other subgraphs' `Reward` references, batched; who sees which is `catalogEntityPolicy`'s. */
export function resolveRewardReference(ref: { id: string }, ctx: CatalogContext): Promise<RewardRow | null> {
  return ctx.loaders.reward.load(String(ref.id));
}
