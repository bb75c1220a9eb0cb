import { Arg, Authorized, Ctx, Directive, Mutation, Resolver } from 'type-graphql';
import { BadInputError } from '@loyalty/platform';
import type { LedgerContext } from '../context';
import { EntryType, type EntryRow } from '../entries/entry.entity';
import { LedgerEntry } from '../entries/entry.type';
import { actorOf, LedgerRoles } from '../policy';
import { LedgerCreditInput } from './credit.input';

/** Credits one batch call may carry (a purchase owes a handful). */
const MAX_BATCH = 50;

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

  @Directive('@inaccessible')
  @Authorized(...LedgerRoles.internal)
  @Mutation(() => [LedgerEntry], {
    description:
      'Several credits in one call, answered in order; each is exactly a ledgerCredit (own key, own idempotency).',
  })
  async ledgerCreditBatch(
    @Arg('inputs', () => [LedgerCreditInput]) inputs: LedgerCreditInput[],
    @Ctx() ctx: LedgerContext,
  ): Promise<EntryRow[]> {
    if (inputs.length > MAX_BATCH) throw new BadInputError(`at most ${MAX_BATCH} credits per call`, 'inputs');
    // Started together so the ledger's group commit writes them in one transaction; every one
    // settles before the answer, so a failure never leaves a write in flight behind it.
    const settled = await Promise.allSettled(inputs.map((input) => this.ledgerCredit(input, ctx)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<EntryRow>).value);
  }
}
