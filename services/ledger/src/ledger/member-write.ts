import type { EntityManager } from 'typeorm';
import type { Transactor, UnitOfWork } from '@loyalty/platform';
import type { AccountService } from '../accounts/account.service';
import { runIdempotent } from '../idempotency/idempotency';
import { MemberPosting, type Clock } from './posting';

/** What every write service shares: transactions, the known members and the clock. */
export interface WriteDeps {
  transactor: Transactor;
  accounts: AccountService;
  clock: Clock;
}

/** One idempotent write to one member's points. */
export interface MemberWrite<T> {
  key: string;
  operation: string;
  /** Everything that defines the request (normalized); a replay must match it exactly. */
  params: unknown;
  memberId: string;
  /** The point kinds the work posts, when known before it runs: the lock reads only their accounts. */
  kinds?: readonly string[];
  actor: string;
  /** The reference `work` will return, when drawn in advance (saves a statement). */
  ref?: string;
  /**
   * The work only posts entries and creates lots (a credit): in a group-commit batch its rows
   * are written with the batch's (see `LedgerBatch`). Needs `ref`.
   */
  deferrable?: boolean;
  /** Rebuilds the first result from its stored reference (replays). */
  load(manager: EntityManager, ref: string): Promise<T>;
  /** Posts through the member's locked posting; what it posted is flushed after it returns. */
  work(posting: MemberPosting, uow: UnitOfWork): Promise<{ result: T; ref: string }>;
}

/**
 * The shape of every member write: the member must exist (checked before any transaction), then
 * one idempotent transaction (shared with concurrent writes, see `runGrouped`) opens the
 * member's posting, runs the work and flushes its entries, balances and events.
 */
export async function writeForMember<T>(deps: WriteDeps, write: MemberWrite<T>): Promise<T> {
  await deps.accounts.ensure(write.memberId);
  return runIdempotent(deps.transactor, {
    key: write.key,
    operation: write.operation,
    params: write.params,
    ref: write.ref,
    lockKey: write.memberId,
    deferrable: write.deferrable,
    load: write.load,
    work: async (uow) => {
      const posting = await MemberPosting.open(uow, write.memberId, deps.clock(), write.actor, {
        deferred: Boolean(write.deferrable && write.ref && uow.group),
        kinds: write.kinds,
      });
      const done = await write.work(posting, uow);
      await posting.flush();
      return done;
    },
  });
}
