import type { CampaignsContext } from '../context';
import type { CampaignRow } from './campaign.entity';

/** `Campaign` references, batched through the request's DataLoader. */
export function resolveCampaignReference(
  ref: { id: string },
  ctx: CampaignsContext,
): Promise<CampaignRow | null> {
  return ctx.loaders.campaign.load(String(ref.id));
}
