import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { MembersContext } from '../context';
import type { MemberRow } from '../members/member.entity';
import { Member } from '../members/member.type';
import { privacySubject } from '../policy';
import { PersonalDataExport } from './privacy.type';

@Resolver()
export class PrivacyResolver {
  @Query(() => PersonalDataExport, { description: 'Export of personal data (member for self, or admin).' })
  async personalDataExport(
    @Arg('memberId', () => ID, { nullable: true }) memberId: string | null,
    @Ctx() ctx: MembersContext,
  ): Promise<PersonalDataExport> {
    const subject = privacySubject(ctx.principal, memberId);
    return ctx.app.privacy.export(subject.memberId, subject.principal);
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
    const subject = privacySubject(ctx.principal, memberId);
    return ctx.app.privacy.erase(subject.memberId, reason, subject.principal);
  }

  @Mutation(() => Boolean, { description: 'Give or withdraw consent to marketing messages.' })
  async setMarketingConsent(
    @Arg('granted') granted: boolean,
    @Arg('memberId', () => ID, { nullable: true }) memberId: string | null,
    @Ctx() ctx: MembersContext,
  ): Promise<boolean> {
    const subject = privacySubject(ctx.principal, memberId);
    return ctx.app.privacy.setMarketingConsent(subject.memberId, granted, subject.principal);
  }
}
