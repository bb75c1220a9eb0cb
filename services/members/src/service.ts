import type { ServiceDefinition } from '@loyalty/platform';
import { ApiKeyResolver } from './api-keys/api-key.resolver';
import { PartnerApiKeyRow } from './api-keys/api-key.entity';
import { createApp, type MembersApp } from './app';
import { ConsentRow } from './consents/consent.entity';
import { createContext, type MembersContext } from './context';
import { MemberRow } from './members/member.entity';
import { membersEntityPolicy, membersFieldPolicy } from './policy';
import { resolveMemberReference } from './members/member.reference';
import { MemberResolver } from './members/member.resolver';
import { MerchantRow } from './merchants/merchant.entity';
import { resolveMerchantReference } from './merchants/merchant.reference';
import { MerchantResolver } from './merchants/merchant.resolver';
import { CreateMembers1700000001000 } from './migrations/1700000001000-CreateMembers';
import { TiersAndPrivacy1700000002000 } from './migrations/1700000002000-TiersAndPrivacy';
import { SignInAndMemberCodes1700000003500 } from './migrations/1700000003500-SignInAndMemberCodes';
import { MemberCodeRow } from './member-codes/member-code.entity';
import { MemberCodeResolver } from './member-codes/member-code.resolver';
import { memberGrantsPlugin } from './sessions/member-grant.plugin';
import { RefreshTokenRow } from './sessions/refresh-token.entity';
import { SessionRow } from './sessions/session.entity';
import { SessionResolver } from './sessions/session.resolver';
import { SignInChallengeRow } from './sign-in/sign-in-challenge.entity';
import { SignInResolver } from './sign-in/sign-in.resolver';
import { MerchantsByCreation1700000003200 } from './migrations/1700000003200-MerchantsByCreation';
import { PrivacyRequestRow } from './privacy/privacy-request.entity';
import { PrivacyResolver } from './privacy/privacy.resolver';
import { SpendRow } from './tiers/spend.entity';
import { TierResolver } from './tiers/tier.resolver';
import { PartnerIntegration1700000011000 } from './migrations/1700000011000-PartnerIntegration';
import { WebhookDeliveryRow } from './webhooks/webhook-delivery.entity';
import { WebhookEndpointRow } from './webhooks/webhook-endpoint.entity';
import { WebhookResolver } from './webhooks/webhook.resolver';
import { CreateNotices1700000003100 } from './migrations/1700000003100-CreateNotices';
import { NoticeRow } from './notices/notice.entity';
import { NoticeResolver } from './notices/notice.resolver';

/** Members, merchants (partners), tiers and consent: REQUIREMENTS M1–M5. */
export const membersService: ServiceDefinition<MembersApp, MembersContext> = {
  name: 'members',
  entities: [
    MemberRow,
    MerchantRow,
    ConsentRow,
    SpendRow,
    PrivacyRequestRow,
    SignInChallengeRow,
    SessionRow,
    RefreshTokenRow,
    MemberCodeRow,
    PartnerApiKeyRow,
    WebhookEndpointRow,
    WebhookDeliveryRow,
    NoticeRow,
  ],
  migrations: [
    CreateMembers1700000001000,
    TiersAndPrivacy1700000002000,
    CreateNotices1700000003100,
    MerchantsByCreation1700000003200,
    SignInAndMemberCodes1700000003500,
    PartnerIntegration1700000011000,
  ],
  createApp,
  context: createContext,
  schema: {
    resolvers: [
      MemberResolver,
      MerchantResolver,
      TierResolver,
      PrivacyResolver,
      SignInResolver,
      SessionResolver,
      MemberCodeResolver,
      ApiKeyResolver,
      WebhookResolver,
      NoticeResolver,
    ],
    references: { Member: resolveMemberReference, Merchant: resolveMerchantReference },
    entityPolicy: membersEntityPolicy,
    fieldPolicy: membersFieldPolicy,
  },
  plugins: [memberGrantsPlugin],
  // Members owns the keys: it reads them from its own tables instead of calling itself.
  apiKeyLookup: (app) => (hash) => app.apiKeys.lookup(hash),
};
