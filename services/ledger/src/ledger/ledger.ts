import type { Transactor } from '@loyalty/platform';
import type { MemberDirectory } from '../accounts/member-directory';
import { CreditService } from '../credits/credit.service';
import { HoldService } from '../holds/hold.service';
import { LotService } from '../lots/lot.service';
import { ReversalService } from '../reversals/reversal.service';
import { systemClock, type Clock } from './posting';

export interface LedgerSettings {
  /** Validity of a credit that names none (POINTS_VALIDITY): an ISO-8601 duration or NEVER. */
  pointsValidity: string;
  /** Defaults to the system clock; tests move time with their own. */
  clock?: Clock;
}

/** The ledger's write services, sharing one clock, one member directory and the posting machinery. */
export interface Ledger {
  clock: Clock;
  credits: CreditService;
  holds: HoldService;
  reversals: ReversalService;
  lots: LotService;
}

export function createLedger(
  transactor: Transactor,
  directory: MemberDirectory,
  settings: LedgerSettings,
): Ledger {
  const clock = settings.clock ?? systemClock;
  return {
    clock,
    credits: new CreditService(transactor, directory, { pointsValidity: settings.pointsValidity, clock }),
    holds: new HoldService(transactor, directory, clock),
    reversals: new ReversalService(transactor, directory, clock),
    lots: new LotService(transactor, directory, clock),
  };
}
