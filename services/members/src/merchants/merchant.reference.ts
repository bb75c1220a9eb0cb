import type { MembersContext } from '../context';
import type { MerchantRow } from './merchant.entity';

export function resolveMerchantReference(
  ref: { id: string },
  ctx: MembersContext,
): Promise<MerchantRow | null> {
  return ctx.loaders.merchant.load(String(ref.id));
}
