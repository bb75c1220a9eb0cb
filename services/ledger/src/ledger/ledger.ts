import type { Transactor } from '@loyalty/platform';
import type { AccountService } from '../accounts/account.service';
import { CreditService } from '../credits/credit.service';
import { HoldService } from '../holds/hold.service';
import { LotService } from '../lots/lot.service';
import { ReversalService } from '../reversals/reversal.service';
import type { WriteDeps } from './member-write';
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
  const deps: WriteDeps = { transactor, accounts, clock: settings.clock ?? systemClock };
  return {
    clock: deps.clock,
    credits: new CreditService(deps, settings.pointsValidity),
    holds: new HoldService(deps, settings.pointsValidity),
    reversals: new ReversalService(deps),
    lots: new LotService(deps),
  };
}
