import type { Transactor } from '@loyalty/platform';
import type { AccountService } from '../accounts/account.service';
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

/** The ledger's write services, sharing one clock, the member accounts and the posting machinery. */
export interface Ledger {
  clock: Clock;
  credits: CreditService;
  holds: HoldService;
  reversals: ReversalService;
  lots: LotService;
}

export function createLedger(
  transactor: Transactor,
  accounts: AccountService,
  settings: LedgerSettings,
): Ledger {
  const clock = settings.clock ?? systemClock;
  return {
    clock,
    credits: new CreditService(transactor, accounts, { pointsValidity: settings.pointsValidity, clock }),
    holds: new HoldService(transactor, accounts, clock),
    reversals: new ReversalService(transactor, accounts, clock),
    lots: new LotService(transactor, accounts, clock),
  };
}
