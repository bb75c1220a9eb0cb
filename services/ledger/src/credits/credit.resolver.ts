import { Arg, Authorized, Ctx, Directive, Mutation, Resolver } from 'type-graphql';
import type { LedgerContext } from '../context';
import { EntryType, type EntryRow } from '../entries/entry.entity';
import { LedgerEntry } from '../entries/entry.type';
import { actorOf, LedgerRoles } from '../policy';
import { LedgerCreditInput } from './credit.input';

/** Credits through the internal API (docs/internal-api.md): hidden from the public graph. */
@Resolver()
export class CreditResolver {
  @Directive('@inaccessible')
  @Authorized(...LedgerRoles.internal)
  @Mutation(() => LedgerEntry, { description: 'EARN (default) or COMPENSATE: a new lot.' })
  ledgerCredit(
    @Arg('input', () => LedgerCreditInput) input: LedgerCreditInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<EntryRow> {
    return ctx.app.ledger.credits.credit(
      { ...input, type: (input.type ?? EntryType.EARN) as EntryType.EARN | EntryType.COMPENSATE },
      actorOf(ctx.principal),
    );
  }
}
