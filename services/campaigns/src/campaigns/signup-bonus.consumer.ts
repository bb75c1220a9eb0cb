import type { ServiceRuntime } from '@loyalty/platform';

type Logger = ServiceRuntime['logger'];
import { IsNull, LessThanOrEqual, MoreThan, Not, type EntityManager } from 'typeorm';
import { Topics, type ConsumerSpec } from '@loyalty/platform';
import { SignUpGrantRow } from '../postings/posting.entity';
import { addPostings, type LedgerPoster } from '../postings/posting.service';
import { evaluateSignUp } from '../rules/earn.rules';
import { expiryOf } from '../terms/terms.service';
import { CampaignRow } from './campaign.entity';
import { toRule } from './campaign.rules';
import { campaignUsage, lockBudgets, recordUsage } from './campaign.service';

async function signUpCampaigns(manager: EntityManager, at: Date): Promise<CampaignRow[]> {
  const window = { signUpBonus: Not(IsNull()), startsAt: LessThanOrEqual(at) };
  const rows = await manager.find(CampaignRow, {
    where: [
      { ...window, endsAt: IsNull() },
      { ...window, endsAt: MoreThan(at) },
    ],
  });
  return lockBudgets(manager, rows);
}

/**
 * M2/R6: gives the sign-up bonus of every sign-up campaign in force when a member registers,
 * once per member and campaign (the inbox de-duplicates events; the grant's key de-duplicates
 * anything else), within each campaign's budget. The points are posted like purchase points.
 */
export function signUpBonusConsumer(deps: {
  poster: LedgerPoster;
  validityAt: (at: Date, manager: EntityManager) => Promise<string>;
  logger: Logger;
}): ConsumerSpec<typeof Topics.memberRegistered> {
  return {
    group: 'campaigns.signup-bonus',
    topics: [Topics.memberRegistered],
    async handle(event, { manager, sql, afterCommit }) {
      const payload = event.payload;
      const memberId = String(payload.memberId);
      const joinedAt = payload.joinedAt ? new Date(payload.joinedAt) : new Date(event.occurredAt);
      const campaigns = await signUpCampaigns(manager, joinedAt);
      if (!campaigns.length) return;
      const usage = await campaignUsage(manager, campaigns, memberId);
      const awards = evaluateSignUp({ memberTier: 'REGULAR', joinedAt }, campaigns.map(toRule), usage);
      const now = new Date();
      const validity = await deps.validityAt(now, manager);
      for (const a of awards) {
        const campaignId = a.campaignId as string;
        if (await manager.existsBy(SignUpGrantRow, { memberId, campaignId })) continue;
        const [posting] = await addPostings(manager, [
          {
            idempotencyKey: `campaigns:signup:${memberId}:${campaignId}`,
            operation: 'CREDIT',
            memberId,
            kind: a.kind,
            points: a.points,
            reason: a.reason,
            merchantId: null,
            campaignId,
            sourceType: 'signup',
            sourceId: memberId,
            validity: a.validity ?? validity,
            expiresAt: expiryOf(now, a.validity ?? validity),
          },
        ]);
        await manager.insert(SignUpGrantRow, {
          memberId,
          campaignId,
          points: a.points,
          postingId: posting.id,
          createdAt: now,
        });
        await recordUsage(sql, campaignId, memberId, a.points);
      }
      if (awards.length) {
        deps.logger.info({ memberId, awards: awards.length }, 'sign-up bonus owed');
        afterCommit(() => deps.poster.nudge());
      }
    },
  };
}
