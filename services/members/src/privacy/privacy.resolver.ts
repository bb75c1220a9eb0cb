import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireAuthenticated } from '@loyalty/platform';
import type { MembersContext } from '../context';
import type { MemberRow } from '../members/member.entity';
import { Member } from '../members/member.type';
import { PersonalDataExport } from './privacy.type';

/** A member acts on their own data (memberId omitted); the operator names the member. */
function target(ctx: MembersContext, memberId: string | null | undefined): string {
  const p = requireAuthenticated(ctx.principal);
  return memberId ?? p.sub;
}

@Resolver()
export class PrivacyResolver {
  @Query(() => PersonalDataExport, { description: 'Export of personal data (member for self, or admin).' })
  async personalDataExport(
    @Arg('memberId', () => ID, { nullable: true }) memberId: string | null,
    @Ctx() ctx: MembersContext,
  ): Promise<PersonalDataExport> {
    return ctx.app.privacy.export(target(ctx, memberId), ctx.principal);
  }

  @Mutation(() => Member, {
    description:
      'Erase name and contact data (member for self, or admin). The points trail keeps the pseudonymous id.',
  })
  async erasePersonalData(
    @Arg('reason') reason: string,
    @Arg('memberId', () => ID, { nullable: true }) memberId: string | null,
    @Ctx() ctx: MembersContext,
  ): Promise<MemberRow> {
    return ctx.app.privacy.erase(target(ctx, memberId), reason, ctx.principal);
  }

  @Mutation(() => Boolean, { description: 'Give or withdraw consent to marketing messages.' })
  async setMarketingConsent(
    @Arg('granted') granted: boolean,
    @Arg('memberId', () => ID, { nullable: true }) memberId: string | null,
    @Ctx() ctx: MembersContext,
  ): Promise<boolean> {
    return ctx.app.privacy.setMarketingConsent(target(ctx, memberId), granted, ctx.principal);
  }
}
