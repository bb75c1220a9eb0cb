import { randomBytes, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { In, IsNull, type EntityManager } from 'typeorm';
import {
  BadInputError,
  ConflictError,
  NotFoundError,
  type EventEnvelope,
  type Transactor,
  type UnitOfWork,
} from '@loyalty/platform';
import type { WebhookSettings } from '../config';
import { MerchantRow } from '../merchants/merchant.entity';
import { WebhookDeliveryRow } from './webhook-delivery.entity';
import { WebhookEndpointRow } from './webhook-endpoint.entity';
import {
  checkEndpointUrl,
  isPublicAddress,
  merchantOf,
  messageOf,
  parseEventTypes,
  WebhookInputError,
  type WebhookEventType,
} from './webhook.rules';

const MAX_ENDPOINTS_PER_MERCHANT = 20;

/** A merchant's webhook endpoints, the queue of messages to them, and its log. */
export class WebhookService {
  /** Nudged after a commit that queued messages, so they leave at once. */
  onQueued: () => void = () => undefined;

  constructor(
    private readonly transactor: Transactor,
    private readonly settings: WebhookSettings,
  ) {}

  async createEndpoint(
    merchantId: string,
    urlText: string,
    events: readonly string[],
    createdBy: string,
  ): Promise<WebhookEndpointRow> {
    let types: WebhookEventType[];
    let url: URL;
    try {
      url = checkEndpointUrl(urlText.trim(), this.settings.publicOnly);
      types = parseEventTypes(events);
    } catch (error) {
      if (error instanceof WebhookInputError) throw new BadInputError(error.message);
      throw error;
    }
    if (this.settings.publicOnly) await this.assertResolvesPublic(url);
    return this.transactor.run(async ({ manager }) => {
      if (!(await manager.existsBy(MerchantRow, { id: merchantId })))
        throw new NotFoundError('Merchant', merchantId);
      const count = await manager.countBy(WebhookEndpointRow, { merchantId, deletedAt: IsNull() });
      if (count >= MAX_ENDPOINTS_PER_MERCHANT)
        throw new BadInputError(`a merchant may have at most ${MAX_ENDPOINTS_PER_MERCHANT} endpoints`);
      const row = manager.create(WebhookEndpointRow, {
        id: randomUUID(),
        merchantId,
        url: url.toString(),
        events: types.join(','),
        secret: `whsec_${randomBytes(32).toString('base64')}`,
        active: true,
        createdAt: new Date(),
        deletedAt: null,
        createdBy,
      });
      await manager.insert(WebhookEndpointRow, row);
      return row;
    });
  }

  /** Refuses a name that resolves to an internal address now (delivery checks it again). */
  private async assertResolvesPublic(url: URL): Promise<void> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = await lookup(host, { all: true }).catch(() => {
      throw new BadInputError(`url host ${host} does not resolve`);
    });
    if (addresses.some((a) => !isPublicAddress(a.address)))
      throw new BadInputError('url must point to a public address');
  }

  async endpoint(id: string): Promise<WebhookEndpointRow | null> {
    return this.transactor.read((m) => m.findOneBy(WebhookEndpointRow, { id, deletedAt: IsNull() }));
  }

  async endpoints(merchantId: string): Promise<WebhookEndpointRow[]> {
    return this.transactor.read((m) =>
      m.find(WebhookEndpointRow, {
        where: { merchantId, deletedAt: IsNull() },
        order: { createdAt: 'DESC', id: 'DESC' },
      }),
    );
  }

  /** Deletes an endpoint: it receives nothing more, and its queued messages are cancelled. */
  async deleteEndpoint(endpoint: WebhookEndpointRow): Promise<WebhookEndpointRow> {
    return this.transactor.run(async ({ manager }) => {
      const deletedAt = new Date();
      const done = await manager.update(
        WebhookEndpointRow,
        { id: endpoint.id, deletedAt: IsNull() },
        { deletedAt, active: false },
      );
      if (!done.affected) throw new NotFoundError('Webhook endpoint', endpoint.id);
      await manager.update(
        WebhookDeliveryRow,
        { endpointId: endpoint.id, status: In(['PENDING', 'DELIVERING']) },
        { status: 'CANCELLED', lockedUntil: null },
      );
      return { ...endpoint, deletedAt, active: false };
    });
  }

  /**
   * Whether any endpoint wants each event, read before the consumer's transaction, once for a
   * delivery's events: most merchants have no endpoint, and their events then cost a share of one
   * read instead of a transaction with an inbox row. An endpoint created after this read gets the
   * events that follow it, as it would have.
   */
  async wanted(events: readonly EventEnvelope<WebhookEventType>[]): Promise<boolean[]> {
    const merchants = [...new Set(events.map(merchantOf).filter((id): id is string => !!id))];
    if (merchants.length === 0) return events.map(() => false);
    const endpoints = await this.transactor.read((m) => liveEndpoints(m, merchants));
    return events.map((event) => {
      const merchantId = merchantOf(event);
      return endpoints.some((e) => e.merchantId === merchantId && subscribes(e, event.topic));
    });
  }

  /**
   * Queues an event for every endpoint of its merchant that wants it, in the consumer's
   * transaction (with its inbox row): an event is queued once, or not at all.
   */
  async enqueue(event: EventEnvelope<WebhookEventType>, uow: UnitOfWork): Promise<void> {
    const merchantId = merchantOf(event);
    if (!merchantId) return;
    const targets = await this.targets(uow.manager, merchantId, event.topic);
    if (targets.length === 0) return;
    const body = JSON.stringify(messageOf(event));
    const now = new Date();
    await uow.manager.insert(
      WebhookDeliveryRow,
      targets.map((endpoint) => ({
        id: `msg_${randomUUID().replace(/-/g, '')}`,
        endpointId: endpoint.id,
        merchantId,
        eventId: event.id,
        eventType: event.topic,
        body,
        status: 'PENDING' as const,
        attempts: 0,
        nextAttemptAt: now,
        lockedUntil: null,
        giveUpAt: new Date(now.getTime() + this.settings.retryForMs),
        lastAttemptAt: null,
        lastStatusCode: null,
        lastError: null,
        createdAt: now,
        deliveredAt: null,
      })),
    );
    uow.afterCommit(() => this.onQueued());
  }

  /** The merchant's live endpoints that subscribed to the topic. */
  private async targets(
    manager: EntityManager,
    merchantId: string,
    topic: string,
  ): Promise<WebhookEndpointRow[]> {
    return (await liveEndpoints(manager, [merchantId])).filter((e) => subscribes(e, topic));
  }

  async delivery(id: string): Promise<WebhookDeliveryRow | null> {
    return this.transactor.read((m) => m.findOneBy(WebhookDeliveryRow, { id }));
  }

  /** An endpoint's messages, newest first. */
  async deliveries(endpointId: string, first: number): Promise<WebhookDeliveryRow[]> {
    if (!Number.isInteger(first) || first < 1 || first > 100)
      throw new BadInputError('first must be between 1 and 100', 'first');
    return this.transactor.read((m) =>
      m.find(WebhookDeliveryRow, {
        where: { endpointId },
        order: { createdAt: 'DESC', id: 'DESC' },
        take: first,
      }),
    );
  }

  /**
   * Sends a message again (same `webhook-id`), now, with a fresh retry window. A message whose
   * attempt is in flight is left as it is.
   */
  async redeliver(delivery: WebhookDeliveryRow): Promise<WebhookDeliveryRow> {
    const updated = await this.transactor.run(async ({ manager, afterCommit }) => {
      const endpoint = await manager.findOneBy(WebhookEndpointRow, {
        id: delivery.endpointId,
        deletedAt: IsNull(),
      });
      if (!endpoint) throw new ConflictError('The endpoint of this message was deleted');
      const now = new Date();
      await manager.update(
        WebhookDeliveryRow,
        { id: delivery.id, status: In(['PENDING', 'SUCCEEDED', 'FAILED']) },
        {
          status: 'PENDING',
          nextAttemptAt: now,
          giveUpAt: new Date(now.getTime() + this.settings.retryForMs),
          lockedUntil: null,
        },
      );
      afterCommit(() => this.onQueued());
      return manager.findOneByOrFail(WebhookDeliveryRow, { id: delivery.id });
    });
    return updated;
  }
}

/** The merchants' endpoints that may receive messages (active, not deleted). */
function liveEndpoints(
  manager: EntityManager,
  merchantIds: readonly string[],
): Promise<WebhookEndpointRow[]> {
  return manager.findBy(WebhookEndpointRow, {
    merchantId: In([...merchantIds]),
    active: true,
    deletedAt: IsNull(),
  });
}

/** Whether the endpoint subscribed to the topic (its `events`, comma-separated). */
function subscribes(endpoint: WebhookEndpointRow, topic: string): boolean {
  return endpoint.events.split(',').includes(topic);
}
