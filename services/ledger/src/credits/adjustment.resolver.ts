import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { LedgerContext } from '../context';
import type { EntryRow } from '../entries/entry.entity';
import { LedgerEntry } from '../entries/entry.type';
import { actorOf, LedgerRoles } from '../policy';
import { AdjustPointsInput } from './credit.input';

/** The operator's corrections (public graph, admin only). */
@Resolver()
export class AdjustmentResolver {
  @Authorized(...LedgerRoles.adjust)
  @Mutation(() => LedgerEntry, {
    description: 'Operator correction (signed), with a reason; idempotent by key.',
  })
  adjustPoints(
    @Arg('input', () => AdjustPointsInput) input: AdjustPointsInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<EntryRow> {
    return ctx.app.ledger.credits.adjust(input, actorOf(ctx.principal));
  }
}
