import type { ServiceDefinition } from '@loyalty/platform';
import { createApp, type MembersApp } from './app';
import { ConsentRow } from './consents/consent.entity';
import { createContext, type MembersContext } from './context';
import { MemberRow } from './members/member.entity';
import { resolveMemberReference } from './members/member.reference';
import { MemberResolver } from './members/member.resolver';
import { MerchantRow } from './merchants/merchant.entity';
import { resolveMerchantReference } from './merchants/merchant.reference';
import { MerchantResolver } from './merchants/merchant.resolver';
import { CreateMembers1700000001000 } from './migrations/1700000001000-CreateMembers';
import { TiersAndPrivacy1700000002000 } from './migrations/1700000002000-TiersAndPrivacy';
import { MerchantsByCreation1700000003100 } from './migrations/1700000003100-MerchantsByCreation';
import { PrivacyRequestRow } from './privacy/privacy-request.entity';
import { PrivacyResolver } from './privacy/privacy.resolver';
import { SpendRow } from './tiers/spend.entity';
import { TierResolver } from './tiers/tier.resolver';

/** Members, merchants (partners), tiers and consent: REQUIREMENTS M1–M5. */
export const membersService: ServiceDefinition<MembersApp, MembersContext> = {
  name: 'members',
  entities: [MemberRow, MerchantRow, ConsentRow, SpendRow, PrivacyRequestRow],
  migrations: [CreateMembers1700000001000, TiersAndPrivacy1700000002000, MerchantsByCreation1700000003100],
  createApp,
  context: createContext,
  schema: {
    resolvers: [MemberResolver, MerchantResolver, TierResolver, PrivacyResolver],
    references: { Member: resolveMemberReference, Merchant: resolveMerchantReference },
  },
};
