import { IsNull, LessThan, Raw } from 'typeorm';
import { BackgroundLoop, Topics, type ServiceRuntime, type Transactor } from '@loyalty/platform';
import type { LedgerClient } from '../peers/ledger.client';
import { MemberActivityRow } from '../purchases/purchase.entity';

type Logger = ServiceRuntime['logger'];

/** R10: members inactive this long… */
export const INACTIVE_DAYS = 90;
/** …whose points expire within this many days get a reminder with a points-plus-cash offer. */
export const EXPIRING_WITHIN_DAYS = 30;
const DAY = 86_400_000;

/**
 * Churn recall (R10): members with no purchase for 3 months whose points are about to expire get
 * one reminder per period of inactivity, as a `member.recall_offered` outbox event carrying a
 * points-plus-cash offer (the realtime and catalog services deliver and honour it). Expiring
 * points are asked from the ledger in batches (one call per 100 members). Safe with replicas: the
 * reminder is claimed by a conditional update before its event is written.
 */
export class RecallService {
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly transactor: Transactor,
    private readonly ledger: Pick<LedgerClient, 'expiringPoints'>,
    logger: Logger,
    intervalMs: number,
  ) {
    this.loop = new BackgroundLoop({
      name: 'churn recall',
      intervalMs,
      logger,
      runAtStart: false,
      run: () => this.sweep(),
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass; `now` may be moved forward in tests. Returns the reminders written. */
  async sweep(now: Date = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - INACTIVE_DAYS * DAY);
    // Expiring "within 30 days of `now`", measured by the ledger from its own clock.
    const days = Math.max(0, Math.ceil((now.getTime() + EXPIRING_WITHIN_DAYS * DAY - Date.now()) / DAY));
    const horizon = now.getTime() + EXPIRING_WITHIN_DAYS * DAY;
    let sent = 0;
    let after = '';
    for (;;) {
      const batch = await this.transactor.read((m) =>
        m.find(MemberActivityRow, {
          where: [
            {
              lastPurchaseAt: LessThan(cutoff),
              recalledAt: IsNull(),
              memberId: Raw((a) => `${a} > :after`, { after }),
            },
            {
              lastPurchaseAt: LessThan(cutoff),
              recalledAt: Raw((a) => `${a} < lastPurchaseAt`),
              memberId: Raw((a) => `${a} > :after`, { after }),
            },
          ],
          order: { memberId: 'ASC' },
          take: 100,
        }),
      );
      if (!batch.length) return sent;
      after = batch[batch.length - 1].memberId;
      const expiringOf = await this.ledger.expiringPoints(
        batch.map((a) => a.memberId),
        days,
      );
      for (const [i, activity] of batch.entries()) {
        const expiring = expiringOf[i].filter(
          (e) => e.points > 0 && new Date(e.expiresAt).getTime() <= horizon,
        );
        if (!expiring.length) continue;
        const wrote = await this.transactor.run(async ({ manager, publish }) => {
          const claimed = await manager.update(
            MemberActivityRow,
            { memberId: activity.memberId, recalledAt: activity.recalledAt ?? IsNull() },
            { recalledAt: now },
          );
          if (!claimed.affected) return false;
          const points = expiring.reduce((s, e) => s + e.points, 0);
          await publish({
            topic: Topics.memberRecallOffered,
            key: activity.memberId,
            payload: {
              memberId: activity.memberId,
              inactiveSince: activity.lastPurchaseAt?.toISOString() ?? null,
              expiring: expiring.map((e) => ({ kind: e.kind, points: e.points, expiresAt: e.expiresAt })),
              points,
              soonestExpiry: expiring.map((e) => e.expiresAt).sort()[0],
              offer: {
                type: 'POINTS_PLUS_CASH',
                message: `${points} of your points expire soon: use them with a little cash before they do.`,
              },
            },
          });
          return true;
        });
        if (wrote) sent += 1;
      }
      if (batch.length < 100) return sent;
    }
  }
}
