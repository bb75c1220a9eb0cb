import type { CampaignsContext } from '../context';
import type { CampaignRow } from '../campaigns/campaign.entity';
import type { PurchaseRow } from '../purchases/purchase.entity';
import type { MemberRef } from './references.type';

/** `Member` is the members subgraph's; here it only carries `purchases`. */
export function resolveMemberReference(ref: { id: string }): MemberRef {
  return { id: String(ref.id) };
}

export function resolveCampaignReference(
  ref: { id: string },
  ctx: CampaignsContext,
): Promise<CampaignRow | null> {
  return ctx.loaders.campaign.load(String(ref.id));
}

export function resolvePurchaseReference(
  ref: { id: string },
  ctx: CampaignsContext,
): Promise<PurchaseRow | null> {
  return ctx.loaders.purchase.load(String(ref.id));
}
