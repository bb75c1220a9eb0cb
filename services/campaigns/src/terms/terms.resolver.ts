import { Arg, Authorized, Ctx, Field, InputType, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { CampaignsContext } from '../context';
import { describeCampaign } from '../campaigns/campaign.rules';
import { ProgramTerms, ValidityChange } from './program-terms.type';
import type { ValidityChangeRow } from './validity-change.entity';

@InputType()
export class ValidityChangeInput {
  @Field({ description: 'ISO-8601 duration or NEVER for points earned from effectiveAt.' })
  validity: string;

  @Field({ description: 'A shortening needs at least 30 days of notice.' })
  effectiveAt: Date;

  @Field()
  reason: string;
}

@Resolver(() => ProgramTerms)
export class TermsResolver {
  @Query(() => ProgramTerms, {
    description: 'The programme terms and the rules in force, in readable form (public).',
  })
  async programTerms(@Ctx() ctx: CampaignsContext) {
    const now = new Date();
    const [pointsValidity, rules, campaigns, upcoming] = await Promise.all([
      ctx.app.terms.validityAt(now),
      ctx.app.terms.rules(now),
      ctx.app.campaigns.list(false, now),
      ctx.app.terms.upcoming(now),
    ]);
    const changes = upcoming.map(
      (c) =>
        `From ${c.effectiveAt.toISOString()}, newly earned points are valid for ${c.validity} (${c.reason}).`,
    );
    return {
      pointsValidity,
      expiryWarningDays: ctx.app.terms.warningDays(),
      rules: [...rules, ...changes, ...campaigns.map((c) => `${c.name}: ${describeCampaign(c)}`)],
      campaigns,
      upcomingValidityChanges: upcoming,
    };
  }

  @Authorized('admin')
  @Mutation(() => ValidityChange, {
    description:
      'Schedules a new validity for newly earned points (L6): a shortening needs 30 days of notice; every member is notified.',
  })
  async scheduleValidityChange(
    @Arg('input') input: ValidityChangeInput,
    @Ctx() ctx: CampaignsContext,
  ): Promise<ValidityChangeRow> {
    return ctx.app.terms.scheduleValidityChange(input);
  }

  @Authorized('admin')
  @Query(() => Int, {
    description: 'Ledger postings (earned or reversed points) the ledger has not confirmed yet.',
  })
  async pendingLedgerPostings(@Ctx() ctx: CampaignsContext): Promise<number> {
    return ctx.app.poster.pendingCount();
  }
}
