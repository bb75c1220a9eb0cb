import type { ServiceApp, ServiceRuntime } from '@loyalty/platform';
import { ApiKeyService } from './api-keys/api-key.service';
import { ApiKeyUsage } from './api-keys/api-key.usage';
import { loadMembersConfig } from './config';
import { WebhookDispatcher } from './webhooks/webhook.dispatcher';
import { WEBHOOK_EVENTS } from './webhooks/webhook.rules';
import { WebhookSender } from './webhooks/webhook.sender';
import { WebhookService } from './webhooks/webhook.service';
import { MemberService } from './members/member.service';
import { MerchantService } from './merchants/merchant.service';
import { PrivacyService } from './privacy/privacy.service';
import { RemoteReferralsClient } from './peers/referrals.client';
import { SPEND_TOPICS, TierService } from './tiers/tier.service';

/** The members service's rules, wired to its runtime. */
export interface MembersApp extends ServiceApp {
  members: MemberService;
  merchants: MerchantService;
  tiers: TierService;
  privacy: PrivacyService;
  apiKeys: ApiKeyService;
  webhooks: WebhookService;
  webhookDispatcher: WebhookDispatcher;
}

export async function createApp(runtime: ServiceRuntime): Promise<MembersApp> {
  const tiers = new TierService(runtime.transactor);
  // Tiers follow spending: learnt from the campaigns service's purchase events.
  await runtime.consume({
    group: 'members.tier-spend',
    topics: SPEND_TOPICS,
    handle: (event, uow) => tiers.onPurchaseEvent(event, uow),
  });
  const config = loadMembersConfig(runtime.config);
  const apiKeyUsage = new ApiKeyUsage(runtime.transactor, runtime.logger, config.apiKeyUsageFlushMs);
  const webhooks = new WebhookService(runtime.transactor, config.webhooks);
  const webhookDispatcher = new WebhookDispatcher(
    runtime.transactor,
    new WebhookSender(config.webhooks.timeoutMs, config.webhooks.publicOnly),
    config.webhooks,
    runtime.logger,
  );
  webhooks.onQueued = () => webhookDispatcher.nudge();
  // Webhooks: a merchant's business events become messages to its endpoints (durable queue).
  await runtime.consume({
    group: 'members.webhooks',
    topics: WEBHOOK_EVENTS,
    handle: (event, uow) => webhooks.enqueue(event, uow),
  });
  return {
    apiKeys: new ApiKeyService(runtime.transactor, apiKeyUsage),
    webhooks,
    webhookDispatcher,
    start: () => {
      apiKeyUsage.start();
      webhookDispatcher.start();
    },
    stop: async () => {
      await webhookDispatcher.stop();
      await apiKeyUsage.stop();
    },
    members: new MemberService(runtime.transactor, new RemoteReferralsClient(runtime.client('referrals'))),
    merchants: new MerchantService(runtime.transactor, runtime.tokens),
    tiers,
    privacy: new PrivacyService(runtime.transactor),
  };
}
