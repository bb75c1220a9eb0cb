import { Arg, Authorized, Ctx, Directive, ID, Mutation, Resolver } from 'type-graphql';
import type { LedgerContext } from '../context';
import type { EntryRow } from '../entries/entry.entity';
import { LedgerEntry } from '../entries/entry.type';
import { actorOf, LedgerRoles } from '../policy';
import type { HoldRow } from './hold.entity';
import { LedgerHoldInput } from './hold.input';
import { PointHold } from './hold.type';

/** Two-phase spending through the internal API (docs/internal-api.md): hidden from the public graph. */
@Resolver()
export class HoldResolver {
  @Directive('@inaccessible')
  @Authorized(...LedgerRoles.internal)
  @Mutation(() => PointHold)
  ledgerHold(
    @Arg('input', () => LedgerHoldInput) input: LedgerHoldInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<HoldRow> {
    return ctx.app.ledger.holds.hold(input, actorOf(ctx.principal));
  }

  @Directive('@inaccessible')
  @Authorized(...LedgerRoles.internal)
  @Mutation(() => LedgerEntry, { description: 'RELEASE (+n) and REDEEM (−n); returns the REDEEM entry.' })
  ledgerCaptureHold(
    @Arg('holdId', () => ID) holdId: string,
    @Arg('idempotencyKey') idempotencyKey: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<EntryRow> {
    return ctx.app.ledger.holds.capture(holdId, idempotencyKey, actorOf(ctx.principal));
  }

  @Directive('@inaccessible')
  @Authorized(...LedgerRoles.internal)
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
  @Authorized(...LedgerRoles.internal)
  @Mutation(() => LedgerEntry)
  ledgerRestoreCapture(
    @Arg('holdId', () => ID) holdId: string,
    @Arg('idempotencyKey') idempotencyKey: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<EntryRow> {
    return ctx.app.ledger.holds.restoreCapture(holdId, idempotencyKey, reason, actorOf(ctx.principal));
  }
}
