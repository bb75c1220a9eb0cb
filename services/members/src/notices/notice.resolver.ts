import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { decodeCursor, encodeCursor, pageSize, preferredLanguage, toConnection } from '@loyalty/platform';
import type { MembersContext } from '../context';
import { Member } from '../members/member.type';
import type { MemberRow } from '../members/member.entity';
import { authorizeNoticesRead, requireMemberSelf } from '../policy';
import { Notice, NoticeConnection } from './notice.type';

@Resolver(() => Member)
export class NoticeResolver {
  @FieldResolver(() => NoticeConnection, {
    description:
      "The member's notices, newest first, worded in the caller's language (Accept-Language: zh-CN or en, the default). The member, or the operator.",
  })
  async notices(
    @Root() member: MemberRow,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('unreadOnly', () => Boolean, { nullable: true, defaultValue: false }) unreadOnly: boolean | null,
    @Ctx() ctx: MembersContext,
  ) {
    authorizeNoticesRead(ctx.principal, member.id);
    const size = pageSize(first);
    const afterId = after ? Number(decodeCursor<{ id: number }>(after, ['id']).id) : null;
    const rows = await ctx.app.notices.list(member.id, size, afterId, unreadOnly ?? false);
    const page = rows.slice(0, size);
    const views = await ctx.app.notices.view(page, preferredLanguage(ctx.acceptLanguage));
    return toConnection(
      [...views, ...rows.slice(size).map(() => null)],
      size,
      (v) => encodeCursor({ id: Number(v?.id) }),
      (v) => v as Notice,
    );
  }

  @Mutation(() => Int, { description: 'The member (own notices); returns how many changed.' })
  async markNoticesRead(@Arg('ids', () => [ID]) ids: string[], @Ctx() ctx: MembersContext): Promise<number> {
    const principal = requireMemberSelf(ctx.principal);
    return ctx.app.notices.markRead(principal.sub, ids);
  }
}
