import Redis from 'ioredis';
import type { ServiceApp, ServiceRuntime } from '@loyalty/platform';
import { ApiKeyService } from './api-keys/api-key.service';
import { ApiKeyUsage } from './api-keys/api-key.usage';
import { loadMembersConfig, type MembersConfig } from './config';
import { MemberCodeService } from './member-codes/member-code.service';
import { MemberService } from './members/member.service';
import { MerchantService } from './merchants/merchant.service';
import { PrivacyService } from './privacy/privacy.service';
import { RemoteReferralsClient } from './peers/referrals.client';
import { Clock } from './sessions/clock';
import { SessionService } from './sessions/session.service';
import { createCodeSender } from './sign-in/code-sender';
import { SignInLimiter } from './sign-in/sign-in.limiter';
import { SignInService } from './sign-in/sign-in.service';
import { SPEND_TOPICS, TierService } from './tiers/tier.service';
import { WebhookDispatcher } from './webhooks/webhook.dispatcher';
import { WEBHOOK_EVENTS } from './webhooks/webhook.rules';
import { WebhookSender } from './webhooks/webhook.sender';
import { WebhookService } from './webhooks/webhook.service';
import { NOTICE_TOPICS, onNoticeEvent } from './notices/notice.consumer';
import { NoticeService } from './notices/notice.service';

/** The members service's rules, wired to its runtime. */
export interface MembersApp extends ServiceApp {
  config: MembersConfig;
  members: MemberService;
  merchants: MerchantService;
  tiers: TierService;
  privacy: PrivacyService;
  /** Time for sign-in, sessions and member codes; tests move it instead of sleeping. */
  clock: Clock;
  signIn: SignInService;
  sessions: SessionService;
  memberCodes: MemberCodeService;
  apiKeys: ApiKeyService;
  webhooks: WebhookService;
  webhookDispatcher: WebhookDispatcher;
  notices: NoticeService;
}

export async function createApp(runtime: ServiceRuntime): Promise<MembersApp> {
  const config = loadMembersConfig(runtime.config);
  const tiers = new TierService(runtime.transactor);
  // Tiers follow spending: learnt from the campaigns service's purchase events.
  await runtime.consume({
    group: 'members.tier-spend',
    topics: SPEND_TOPICS,
    handle: (event, uow) => tiers.onPurchaseEvent(event, uow),
    handleAll: (events, uow) => tiers.onPurchaseEvents(events, uow),
  });
  const notices = new NoticeService(runtime.transactor, runtime.config.env.PROGRAMME_TIME_ZONE);
  // One inbox for every notice (T5): the causes are other services' events.
  await runtime.consume({
    group: 'members.notices',
    topics: NOTICE_TOPICS,
    handle: (event, uow) => onNoticeEvent(notices, event, uow),
  });
  const clock = new Clock();
  // Rate-limit counters are shared by every replica through Redis when the platform has one. No
  // offline queue: while Redis is unreachable a command fails at once and the limiter's in-memory
  // insurance answers, instead of sign-ins waiting for a reconnect.
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    : null;
  redis?.on('error', (err) => runtime.logger.warn({ err }, 'sign-in rate-limit store unavailable'));
  const limiter = new SignInLimiter(config.signInLimits, redis && { redis, prefix: config.redisPrefix });
  const sessions = new SessionService(runtime.transactor, runtime.tokens, clock, config);
  const signIn = new SignInService(
    runtime.transactor,
    limiter,
    createCodeSender(config.sender, runtime.logger, config.production),
    sessions,
    clock,
    { secret: config.secret, exposeDevCode: !config.production },
    runtime.logger,
  );
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
    relevant: (events) => webhooks.wanted(events),
    handle: (event, uow) => webhooks.enqueue(event, uow),
  });
  return {
    config,
    notices,
    members: new MemberService(runtime.transactor, new RemoteReferralsClient(runtime.client('referrals'))),
    merchants: new MerchantService(runtime.transactor, runtime.tokens),
    tiers,
    privacy: new PrivacyService(runtime.transactor, runtime.db),
    clock,
    signIn,
    sessions,
    memberCodes: new MemberCodeService(runtime.transactor, clock),
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
      await signIn.drain();
      await redis?.quit();
    },
  };
}
