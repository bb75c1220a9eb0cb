import { BackgroundLoop, forUpdate, type Logger, type Transactor } from '@loyalty/platform';
import type { WebhookSettings } from '../config';
import { WebhookDeliveryRow } from './webhook-delivery.entity';
import { WebhookEndpointRow } from './webhook-endpoint.entity';
import { backoffMs } from './webhook.rules';
import type { SendOutcome, WebhookSender } from './webhook.sender';

/** Margin beyond the timeout before another worker may take over a claimed message. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Delivers queued messages. Each pass claims, per endpoint, its earliest due message — never one
 * of an endpoint that already has an attempt in flight (here or on another replica: claims for an
 * endpoint hold its row lock, taken with SKIP LOCKED on MySQL) — and sends
 * them without waiting: an endpoint that hangs holds only its own slot until the timeout, and one
 * that fails only delays its own messages (backoff), never another merchant's.
 */
export class WebhookDispatcher {
  private readonly loop: BackgroundLoop;
  /** Endpoints with an attempt in flight in this process. */
  private readonly busy = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly transactor: Transactor,
    private readonly sender: WebhookSender,
    private readonly settings: WebhookSettings,
    private readonly logger: Logger,
  ) {
    this.loop = new BackgroundLoop({
      name: 'webhook dispatcher',
      intervalMs: settings.pollIntervalMs,
      logger,
      run: () => this.pass(),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Run a pass now (a message was queued). */
  nudge(): void {
    this.loop.nudge();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.all(this.inFlight);
  }

  /** Claims what is due and starts sending it; resolves once claimed, not once sent. */
  async pass(): Promise<number> {
    const room = this.settings.concurrency - this.busy.size;
    if (room <= 0) return 0;
    const claimed = await this.claim(room);
    for (const { delivery, endpoint } of claimed) {
      this.busy.add(delivery.endpointId);
      const work = this.attempt(delivery, endpoint).finally(() => {
        this.busy.delete(delivery.endpointId);
        this.inFlight.delete(work);
        // Its endpoint may have more due messages.
        this.loop.nudge();
      });
      this.inFlight.add(work);
    }
    return claimed.length;
  }

  private async claim(
    room: number,
  ): Promise<{ delivery: WebhookDeliveryRow; endpoint: WebhookEndpointRow }[]> {
    const now = new Date();
    const due = (alias: string) =>
      `((${alias}.status = 'PENDING' AND ${alias}.nextAttemptAt <= :now) OR ` +
      `(${alias}.status = 'DELIVERING' AND ${alias}.lockedUntil < :now))`;
    // The endpoints with something due, oldest first, skipping those with an attempt in flight.
    const busy = [...this.busy];
    const candidates = this.transactor.read((m) => {
      const qb = m
        .createQueryBuilder(WebhookDeliveryRow, 'd')
        .select('d.endpointId', 'endpointId')
        .addSelect('MIN(d.nextAttemptAt)', 'dueAt')
        .where(due('d'), { now })
        .andWhere(
          (sub) =>
            `d.endpointId NOT IN ${sub
              .subQuery()
              .select('f.endpointId')
              .from(WebhookDeliveryRow, 'f')
              .where("f.status = 'DELIVERING' AND f.lockedUntil >= :now")
              .getQuery()}`,
        )
        .groupBy('d.endpointId')
        .orderBy('dueAt', 'ASC')
        .limit(room);
      if (busy.length) qb.andWhere('d.endpointId NOT IN (:...busy)', { busy });
      return qb.getRawMany<{ endpointId: string }>();
    });
    const endpointIds = (await candidates).map((c) => c.endpointId);
    const claimed: { delivery: WebhookDeliveryRow; endpoint: WebhookEndpointRow }[] = [];
    for (const endpointId of endpointIds) {
      const one = await this.transactor.run(async ({ manager }) => {
        // The endpoint's row lock makes claims for one endpoint take turns across replicas; a
        // replica that finds it locked leaves the endpoint to the one holding it.
        const endpoint = await forUpdate(
          manager.createQueryBuilder(WebhookEndpointRow, 'e').where('e.id = :endpointId', { endpointId }),
          { skipLocked: true },
        ).getOne();
        if (!endpoint) return null;
        const attempting = await manager
          .createQueryBuilder(WebhookDeliveryRow, 'f')
          .where("f.endpointId = :endpointId AND f.status = 'DELIVERING' AND f.lockedUntil >= :now", {
            endpointId,
            now,
          })
          .getCount();
        if (attempting > 0) return null;
        const delivery = await manager
          .createQueryBuilder(WebhookDeliveryRow, 'd')
          .where('d.endpointId = :endpointId', { endpointId })
          .andWhere(due('d'), { now })
          .orderBy('d.nextAttemptAt', 'ASC')
          .limit(1)
          .getOne();
        if (!delivery) return null;
        if (endpoint.deletedAt) {
          await manager.update(
            WebhookDeliveryRow,
            { id: delivery.id },
            { status: 'CANCELLED', lockedUntil: null },
          );
          return null;
        }
        const lease = {
          status: 'DELIVERING' as const,
          attempts: delivery.attempts + 1,
          lastAttemptAt: now,
          lockedUntil: new Date(now.getTime() + this.settings.timeoutMs + LEASE_MARGIN_MS),
        };
        await manager.update(WebhookDeliveryRow, { id: delivery.id }, lease);
        return { delivery: { ...delivery, ...lease }, endpoint };
      });
      if (one) claimed.push(one);
    }
    return claimed;
  }

  private async attempt(delivery: WebhookDeliveryRow, endpoint: WebhookEndpointRow): Promise<void> {
    const outcome = await this.sender.send({
      id: delivery.id,
      body: delivery.body,
      url: endpoint.url,
      secret: endpoint.secret,
    });
    try {
      await this.record(delivery, outcome);
    } catch (error) {
      // The lease runs out and the message is attempted again: at least once, never lost.
      this.logger.warn({ err: error, deliveryId: delivery.id }, 'could not record a webhook attempt');
    }
  }

  /** The attempt's result, unless the message was taken over or cancelled meanwhile. */
  private async record(delivery: WebhookDeliveryRow, outcome: SendOutcome): Promise<void> {
    const now = new Date();
    const mine = { id: delivery.id, status: 'DELIVERING' as const, attempts: delivery.attempts };
    if (outcome.ok) {
      await this.transactor.run(({ manager }) =>
        manager.update(WebhookDeliveryRow, mine, {
          status: 'SUCCEEDED',
          deliveredAt: now,
          lockedUntil: null,
          lastStatusCode: outcome.status,
          lastError: null,
        }),
      );
      return;
    }
    const next = new Date(
      now.getTime() + backoffMs(delivery.attempts, this.settings.retryInitialMs, this.settings.retryMaxMs),
    );
    // Retried until the window has passed (at least 24 h in production), then given up.
    const givingUp = now >= delivery.giveUpAt;
    await this.transactor.run(({ manager }) =>
      manager.update(WebhookDeliveryRow, mine, {
        status: givingUp ? 'FAILED' : 'PENDING',
        nextAttemptAt: givingUp ? delivery.nextAttemptAt : next,
        lockedUntil: null,
        lastStatusCode: outcome.status,
        lastError: outcome.error?.slice(0, 500) ?? null,
      }),
    );
    if (givingUp) this.logger.warn({ deliveryId: delivery.id }, 'webhook message given up');
  }
}
