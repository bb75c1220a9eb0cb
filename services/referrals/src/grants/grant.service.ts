import { In, LessThanOrEqual } from 'typeorm';
import type { ServiceRuntime } from '@loyalty/platform';

type Logger = ServiceRuntime['logger'];
import { BackgroundLoop, retryDelayMs, type Transactor } from '@loyalty/platform';
import { ReferralGrantRow } from './grant.entity';
import type { LedgerPort } from './ledger.client';

const BATCH = 50;
const MAX_BACKOFF_MS = 5 * 60_000;

/** Retry delay after `attempts` failures: 0.5 s doubling, at most five minutes. */
export function backoffMs(attempts: number): number {
  return retryDelayMs(attempts, 500, MAX_BACKOFF_MS);
}

/** Words a member reads in their points history. */
function reasonFor(grant: ReferralGrantRow): string {
  if (grant.operation === 'REVERSE') return 'Referral reward reversed: the qualifying purchase was refunded';
  return grant.role === 'inviter'
    ? 'Referral reward: a friend you invited made their first purchase'
    : "Welcome reward: joined with a friend's referral code";
}

/**
 * Posts owed grants to the ledger, outside any transaction (a slow or absent ledger never holds
 * the referrals database), and marks them posted. Runs on a timer and when nudged after a
 * decision commits; a grant that fails waits with backoff and is tried again, so a ledger
 * outage delays rewards but never loses or doubles them (the ledger de-duplicates by key).
 */
export class GrantPoster {
  private readonly loop: BackgroundLoop;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly transactor: Transactor,
    private readonly ledger: LedgerPort,
    private readonly logger: Logger,
    pollMs: number,
  ) {
    this.loop = new BackgroundLoop({
      name: 'referral grant poster',
      intervalMs: pollMs,
      logger,
      run: () => this.drain(),
    });
  }

  start(): void {
    this.stopped = false;
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    await this.running?.catch(() => undefined);
  }

  nudge(): void {
    this.loop.nudge();
  }

  /** Posts every due grant; resolves with how many were posted. Coalesces concurrent calls. */
  drain(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      do {
        this.again = false;
        for (;;) {
          const n = await this.postBatch();
          total += n.posted;
          if (n.seen < BATCH || n.posted === 0) break;
        }
      } while (this.again && !this.stopped);
      return total;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async postBatch(): Promise<{ seen: number; posted: number }> {
    const due = await this.transactor.read((m) =>
      m.find(ReferralGrantRow, {
        where: { status: 'PENDING', nextAttemptAt: LessThanOrEqual(new Date()) },
        order: { createdAt: 'ASC', id: 'ASC' },
        take: BATCH,
      }),
    );
    const creditIds = due.map((g) => g.reversesGrantId).filter((id): id is string => id !== null);
    const credits = creditIds.length
      ? await this.transactor.read((m) => m.findBy(ReferralGrantRow, { id: In(creditIds) }))
      : [];
    const postedCredits = new Set(credits.filter((c) => c.status === 'POSTED').map((c) => c.id));
    let posted = 0;
    for (const grant of due) {
      if (this.stopped) break;
      // A reversal goes out only after the credit it takes back (else it would take nothing).
      if (grant.reversesGrantId && !postedCredits.has(grant.reversesGrantId)) continue;
      if (await this.post(grant)) {
        posted++;
        if (grant.operation === 'CREDIT') postedCredits.add(grant.id);
      }
    }
    return { seen: due.length, posted };
  }

  private async post(grant: ReferralGrantRow): Promise<boolean> {
    const request = {
      memberId: grant.memberId,
      points: grant.points,
      reason: reasonFor(grant),
      idempotencyKey: grant.idempotencyKey,
      sourceId: `${grant.referralId}:${grant.role}`,
    };
    try {
      const result =
        grant.operation === 'CREDIT'
          ? { ...(await this.ledger.credit(request)), shortfall: null }
          : await this.ledger.reverse(request);
      await this.transactor.run(({ manager }) =>
        manager.update(
          ReferralGrantRow,
          { id: grant.id, status: 'PENDING' },
          {
            status: 'POSTED',
            postedAt: new Date(),
            ledgerEntryId: result.entryId,
            shortfall: result.shortfall,
          },
        ),
      );
      return true;
    } catch (error) {
      const attempts = grant.attempts + 1;
      this.logger.warn(
        { err: error, grant: grant.idempotencyKey, attempts },
        'ledger refused or unreachable; grant will be retried',
      );
      await this.transactor.run(({ manager }) =>
        manager.update(
          ReferralGrantRow,
          { id: grant.id, status: 'PENDING' },
          {
            attempts,
            lastError: String((error as Error).message ?? error).slice(0, 500),
            nextAttemptAt: new Date(Date.now() + backoffMs(attempts)),
          },
        ),
      );
      return false;
    }
  }
}
