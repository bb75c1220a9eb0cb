import { Arg, Authorized, Ctx, Directive, Mutation, Resolver } from 'type-graphql';
import type { LedgerContext } from '../context';
import { actorOf, LedgerRoles } from '../policy';
import { LedgerReverseInput } from './reversal.input';
import type { Reversal } from './reversal.service';
import { LedgerReversal } from './reversal.type';

/** Refunds through the internal API (docs/internal-api.md): hidden from the public graph. */
@Resolver()
export class ReversalResolver {
  @Directive('@inaccessible')
  @Authorized(...LedgerRoles.internal)
  @Mutation(() => LedgerReversal)
  ledgerReverse(
    @Arg('input', () => LedgerReverseInput) input: LedgerReverseInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<Reversal> {
    return ctx.app.ledger.reversals.reverse(input, actorOf(ctx.principal));
  }
}
