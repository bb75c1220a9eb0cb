import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { BadInputError, decodeCursor, encodeCursor, pageSize, PointKind } from '@loyalty/platform';
import type { LedgerContext } from '../context';
import { entryConnection, type EntryConnection } from '../entries/entry.connection';
import type { EntryRow } from '../entries/entry.entity';
import { BalanceChange, LedgerEntryConnection } from '../entries/entry.type';
import { ExpiryWarning } from '../expiry/warning.type';
import { assertCanReadBalances, assertCanReadPrivate, historyScope } from '../policy';
import { ExpiringPoints, Member, PointBalance } from './member.type';

const MAX_REPLAY = 1000;

/** Balances, expiry and history on the members subgraph's `Member`. */
@Resolver(() => Member)
export class MemberLedgerResolver {
  @FieldResolver(() => Int, { description: 'Spendable points of one kind.' })
  async balance(
    @Root() member: Member,
    @Arg('kind', () => PointKind, { nullable: true, defaultValue: PointKind.REGULAR }) kind: PointKind,
    @Ctx() ctx: LedgerContext,
  ): Promise<number> {
    assertCanReadBalances(ctx.principal, member.id);
    const accounts = await ctx.loaders.accounts.load(member.id);
    return accounts.find((a) => a.kind === (kind ?? PointKind.REGULAR))?.balance ?? 0;
  }

  @FieldResolver(() => [PointBalance])
  async balances(@Root() member: Member, @Ctx() ctx: LedgerContext): Promise<PointBalance[]> {
    assertCanReadBalances(ctx.principal, member.id);
    const accounts = await ctx.loaders.accounts.load(member.id);
    return Object.values(PointKind).map((kind) => ({
      kind,
      available: accounts.find((a) => a.kind === kind)?.balance ?? 0,
    }));
  }

  @FieldResolver(() => [ExpiringPoints], {
    description: 'Points that will expire within the given number of days, soonest first.',
  })
  async expiringPoints(
    @Root() member: Member,
    @Arg('withinDays', () => Int, { nullable: true, defaultValue: 30 }) withinDays: number,
    @Ctx() ctx: LedgerContext,
  ): Promise<ExpiringPoints[]> {
    assertCanReadBalances(ctx.principal, member.id);
    const days = withinDays ?? 30;
    if (!Number.isInteger(days) || days < 0 || days > 36_500)
      throw new BadInputError('withinDays must be 0 to 36500', 'withinDays');
    return (await ctx.loaders.expiring.load({ memberId: member.id, withinDays: days })) as ExpiringPoints[];
  }

  @FieldResolver(() => LedgerEntryConnection, {
    description: "Entries newest first. A partner sees only its own merchant's entries.",
  })
  async history(
    @Root() member: Member,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('kind', () => PointKind, { nullable: true }) kind: PointKind | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<EntryConnection> {
    const { merchantId } = historyScope(ctx.principal, member.id);
    const size = pageSize(first);
    const cursor = after ? decodeCursor<{ s: number }>(after, ['s']).s : null;
    if (cursor !== null && !Number.isInteger(cursor)) throw new BadInputError('Invalid cursor', 'after');
    const rows = await ctx.loaders.entryPages.load({
      memberId: member.id,
      limit: size + 1,
      cursor,
      direction: 'newest',
      kind: kind ?? null,
      merchantId,
    });
    return entryConnection(rows, size, (r) => encodeCursor({ s: r.sequence }));
  }

  @FieldResolver(() => [BalanceChange], {
    description:
      'Entries after a sequence, oldest first (all kinds): what a reconnecting subscriber missed. first: default 100, at most 1000.',
  })
  async balanceChanges(
    @Root() member: Member,
    @Arg('afterSequence', () => Int) afterSequence: number,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<EntryRow[]> {
    assertCanReadPrivate(ctx.principal, member.id);
    const size = first ?? 100;
    if (!Number.isInteger(size) || size < 1 || size > MAX_REPLAY)
      throw new BadInputError(`first must be 1 to ${MAX_REPLAY}`, 'first');
    if (afterSequence < 0) throw new BadInputError('afterSequence must not be negative', 'afterSequence');
    return ctx.loaders.entryPages.load({
      memberId: member.id,
      limit: size,
      cursor: afterSequence,
      direction: 'oldest',
      kind: null,
      merchantId: null,
    });
  }

  @FieldResolver(() => [ExpiryWarning], { description: 'Expiry warnings sent to the member, newest first.' })
  async expiryWarnings(
    @Root() member: Member,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Ctx() ctx: LedgerContext,
  ) {
    assertCanReadPrivate(ctx.principal, member.id);
    return ctx.loaders.warnings.load({ memberId: member.id, first: pageSize(first) });
  }
}
