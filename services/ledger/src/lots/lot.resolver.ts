import { Arg, Authorized, Ctx, Directive, Int, Mutation, Resolver } from 'type-graphql';
import type { LedgerContext } from '../context';
import { actorOf, LedgerRoles } from '../policy';
import { LedgerExtendInput } from './lot.input';

/** Validity extensions through the internal API (docs/internal-api.md): hidden from the public graph. */
@Resolver()
export class LotResolver {
  @Directive('@inaccessible')
  @Authorized(...LedgerRoles.internal)
  @Mutation(() => Int, { description: 'Lots whose expiry was extended.' })
  ledgerExtendValidity(
    @Arg('input', () => LedgerExtendInput) input: LedgerExtendInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<number> {
    return ctx.app.ledger.lots.extendValidity(input, actorOf(ctx.principal));
  }
}
