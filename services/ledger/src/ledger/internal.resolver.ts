import { Arg, Authorized, Ctx, Directive, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { Principal } from '@loyalty/platform';
import type { LedgerContext } from '../context';
import { EntryType, type EntryRow } from '../entries/entry.entity';
import { LedgerEntry } from '../entries/entry.type';
import type { HoldRow } from '../holds/hold.entity';
import { PointHold } from '../holds/hold.type';
import type { Reversal } from '../reversals/reversal.service';
import { LedgerCreditInput, LedgerExtendInput, LedgerHoldInput, LedgerReverseInput } from './ledger.input';
import { LedgerReversal } from './ledger.type';

/** Who an entry is attributed to, e.g. `service:campaigns`, `admin:alice`. */
export const actorOf = (p: Principal | null): string => (p ? `${p.role}:${p.sub}`.slice(0, 80) : 'anonymous');

/** The internal API other services call (docs/internal-api.md): service tokens only, hidden from the public graph. */
@Resolver()
export class LedgerInternalResolver {
  @Directive('@inaccessible')
  @Authorized('service')
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
  @Authorized('service')
  @Mutation(() => PointHold)
  ledgerHold(
    @Arg('input', () => LedgerHoldInput) input: LedgerHoldInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<HoldRow> {
    return ctx.app.ledger.holds.hold(input, actorOf(ctx.principal));
  }

  @Directive('@inaccessible')
  @Authorized('service')
  @Mutation(() => LedgerEntry, { description: 'RELEASE (+n) and REDEEM (−n); returns the REDEEM entry.' })
  ledgerCaptureHold(
    @Arg('holdId', () => ID) holdId: string,
    @Arg('idempotencyKey') idempotencyKey: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<EntryRow> {
    return ctx.app.ledger.holds.capture(holdId, idempotencyKey, actorOf(ctx.principal));
  }

  @Directive('@inaccessible')
  @Authorized('service')
  @Mutation(() => PointHold)
  ledgerReleaseHold(
    @Arg('holdId', () => ID) holdId: string,
    @Arg('idempotencyKey') idempotencyKey: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<HoldRow> {
    return ctx.app.ledger.holds.release(holdId, idempotencyKey, reason, actorOf(ctx.principal));
  }

  @Directive('@inaccessible')
  @Authorized('service')
  @Mutation(() => LedgerEntry)
  ledgerRestoreCapture(
    @Arg('holdId', () => ID) holdId: string,
    @Arg('idempotencyKey') idempotencyKey: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<EntryRow> {
    return ctx.app.ledger.holds.restoreCapture(holdId, idempotencyKey, reason, actorOf(ctx.principal));
  }

  @Directive('@inaccessible')
  @Authorized('service')
  @Mutation(() => LedgerReversal)
  ledgerReverse(
    @Arg('input', () => LedgerReverseInput) input: LedgerReverseInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<Reversal> {
    return ctx.app.ledger.reversals.reverse(input, actorOf(ctx.principal));
  }

  @Directive('@inaccessible')
  @Authorized('service')
  @Mutation(() => Int, { description: 'Lots whose expiry was extended.' })
  ledgerExtendValidity(
    @Arg('input', () => LedgerExtendInput) input: LedgerExtendInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<number> {
    return ctx.app.ledger.lots.extendValidity(input, actorOf(ctx.principal));
  }
}
