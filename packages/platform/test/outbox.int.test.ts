import { Column, Entity, PrimaryColumn, type EntityManager } from 'typeorm';
import {
  createLogger,
  InboxEventRow,
  InProcessTransport,
  Metrics,
  openDatabase,
  OutboxEventRow,
  OutboxRelay,
  RedisTransport,
  registerConsumer,
  Topics,
  Transactor,
  type Database,
  type EventEnvelope,
  type EventTransport,
} from '@loyalty/platform';
import { CreatePlatformTables1700000000000 } from '@loyalty/platform';
import { eventually, onRedis, openTestDatabase, testConfig } from '@loyalty/testing';

/** A numbered event of a real topic: the effect table records which number arrived. */
const erased = (n: number) => ({
  topic: Topics.memberErased,
  key: `k${n}`,
  payload: { memberId: String(n), erasedAt: new Date(0).toISOString() },
});

/** A hand-made delivery of `member.registered` (id chosen: a test can deliver it again). */
const registration = (id: string, memberId: string): EventEnvelope<'member.registered'> => ({
  id,
  topic: Topics.memberRegistered,
  key: memberId,
  payload: { memberId, joinedAt: new Date(0).toISOString(), registeredVia: 'test', referralCode: null },
  occurredAt: new Date(0).toISOString(),
  source: 'test',
});

/** The consumer's visible effect, written in the same transaction as its inbox row. */
@Entity({ name: 'test_effects' })
class EffectRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'integer' })
  n: number;
}

const logger = createLogger('test', 'silent');

/** A transport that delivers, then "crashes" before the relay can mark rows published. */
class CrashAfterPublish implements EventTransport {
  readonly kind = 'in-process' as const;
  constructor(private readonly inner: EventTransport) {}
  async publish(events: EventEnvelope[]) {
    await this.inner.publish(events);
    throw new Error('relay process died after publishing');
  }
  consume: EventTransport['consume'] = (...a) => this.inner.consume(...a);
  listen: EventTransport['listen'] = (...a) => this.inner.listen(...a);
  async close() {}
}

const transports: [string, boolean][] = [['in-process', false]];
// Redis runs wherever REDIS_URL is set (CI sets it for both database runs).
if (onRedis()) transports.push(['redis', true]);

describe.each(transports)('outbox → %s transport → idempotent consumer', (_name, useRedis) => {
  const config = testConfig({}, { redis: useRedis });
  let producer: Database;
  let consumer: Database;
  const opened: EventTransport[] = [];

  beforeAll(async () => {
    producer = await openDatabase({
      target: config.database('members'),
      entities: [OutboxEventRow, InboxEventRow],
      migrations: [CreatePlatformTables1700000000000],
      logger,
    });
    consumer = await openTestDatabase(config, [OutboxEventRow, InboxEventRow, EffectRow], 'ledger');
  });

  afterAll(async () => {
    for (const t of opened) await t.close();
    await producer?.dataSource.destroy();
    await consumer?.dataSource.destroy();
  });

  const newTransport = (): EventTransport => {
    const t = useRedis
      ? new RedisTransport(config.env.REDIS_URL!, config.env.REDIS_PREFIX, logger)
      : new InProcessTransport();
    opened.push(t);
    return t;
  };

  it('delivers every event exactly once in effect across a relay restart', async () => {
    const transport = newTransport();
    const producerTx = new Transactor(producer);
    const consumerTx = new Transactor(consumer);
    let handled = 0;
    await registerConsumer(transport, consumerTx, logger, {
      group: 'test.effects',
      topics: [Topics.memberErased],
      handle: async (event, { manager }) => {
        handled += 1;
        await manager.insert(EffectRow, { eventId: event.id, n: Number(event.payload.memberId) });
      },
    });

    // Ten events committed with the producer's own writes.
    await producerTx.run(async ({ publish }) => {
      for (let n = 0; n < 10; n++) await publish(erased(n));
    });
    // A rolled-back transaction's events must never leave.
    await expect(
      producerTx.run(async ({ publish }) => {
        await publish(erased(99));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');

    // First relay publishes and dies before marking anything published.
    const crashing = new OutboxRelay(producer, producerTx, new CrashAfterPublish(transport), logger, {
      source: 'test',
      pollIntervalMs: 60_000,
    });
    await expect(crashing.flush()).rejects.toThrow('died');
    await crashing.stop();

    // The restarted relay publishes the same rows again.
    const relay = new OutboxRelay(producer, producerTx, transport, logger, {
      source: 'test',
      pollIntervalMs: 60_000,
    });
    await relay.flush();
    // A marker after the redelivered ten: once its effect is in, every duplicate before it
    // has been delivered too (one consumer, in order).
    await producerTx.run(({ publish }) => publish(erased(10)));
    await relay.flush();
    await relay.stop();

    const effects = await eventually(async () => {
      const rows = await consumer.dataSource.getRepository(EffectRow).find({ order: { n: 'ASC' } });
      return rows.some((e) => e.n === 10) && rows;
    });
    expect(effects.map((e) => e.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(handled).toBe(11); // duplicates were recognised before the handler ran
    const unpublished = await producer.dataSource
      .getRepository(OutboxEventRow)
      .createQueryBuilder('o')
      .where('o.publishedAt IS NULL')
      .getCount();
    expect(unpublished).toBe(0);
  });

  it('skips events the consumer finds irrelevant without a transaction or an inbox row', async () => {
    const transport = newTransport();
    const producerTx = new Transactor(producer);
    const consumerTx = new Transactor(consumer);
    const group = 'test.relevant';
    let committed = 0;
    const deliveries: number[] = [];
    let bothIn: () => void = () => undefined;
    const both = new Promise<void>((resolve) => (bothIn = resolve));
    const metrics = new Metrics('test', false);
    const outcome = async (name: string) =>
      (await metrics.events.get()).values.find(
        (v) => v.labels.consumer === group && v.labels.outcome === name,
      )?.value ?? 0;
    await registerConsumer(
      transport,
      consumerTx,
      logger,
      {
        group,
        // Not the other test's topic: on Redis its consumer group would take these events too.
        topics: [Topics.merchantRenamed],
        // Only even numbers have an effect here.
        // One call for the drain, with all four events.
        relevant: async (events) => {
          deliveries.push(events.length);
          return events.map((event) => Number(event.payload.name) % 2 === 0);
        },
        handle: async (event, uow) => {
          await uow.manager.insert(EffectRow, { eventId: event.id, n: 100 + Number(event.payload.name) });
          uow.afterCommit(() => (++committed === 2 ? bothIn() : undefined));
        },
      },
      metrics.events,
    );
    const before = consumer.queries.roundTrips;
    await producerTx.run(async ({ publish }) => {
      for (let n = 0; n < 4; n++)
        await publish({
          topic: Topics.merchantRenamed,
          key: 'm',
          payload: { merchantId: 'm', name: String(n), namedAt: new Date(0).toISOString() },
        });
    });
    const relay = new OutboxRelay(producer, producerTx, transport, logger, {
      source: 'test',
      pollIntervalMs: 60_000,
    });
    await relay.flush();
    await relay.stop();
    await both;
    // Skipped deliveries leave no row: the consumer's outcome counter is how operators (and this
    // test) see them taken.
    await eventually(async () => (await outcome('skipped')) === 2);
    expect(await outcome('handled')).toBe(2);
    expect(deliveries).toEqual([4]);
    // The drain's two relevant events in one transaction (BEGIN, their inbox rows in one
    // statement, two effects, COMMIT; on MySQL the BEGIN goes with the inbox rows); the odd
    // events none.
    expect(consumer.queries.roundTrips - before).toBe(consumer.kind === 'mysql' ? 4 : 5);
    const rows = await consumer.dataSource.getRepository(EffectRow).find({ order: { n: 'ASC' } });
    expect(rows.filter((e) => e.n >= 100).map((e) => e.n)).toEqual([100, 102]);
    expect(await consumer.dataSource.getRepository(InboxEventRow).countBy({ consumer: group })).toBe(2);
  });

  it('takes a delivery in one transaction; a duplicate or a failing event in it costs only itself', async () => {
    const transport = newTransport();
    const consumerTx = new Transactor(consumer);
    const group = 'test.batch';
    const metrics = new Metrics('test', false);
    const outcome = async (name: string) =>
      (await metrics.events.get()).values.find(
        (v) => v.labels.consumer === group && v.labels.outcome === name,
      )?.value ?? 0;
    let refused = 'n3';
    const calls: string[] = [];
    await registerConsumer(
      transport,
      consumerTx,
      logger,
      {
        group,
        // A topic of its own: on Redis the other tests' groups would take these events too.
        topics: [Topics.memberRegistered],
        handle: async (event, { manager }) => {
          calls.push(event.id);
          if (event.payload.memberId === refused) throw new Error('refused');
          await manager.insert(EffectRow, {
            eventId: event.id,
            n: 200 + Number(event.payload.memberId.slice(1)),
          });
        },
      },
      metrics.events,
    );
    const registered = (n: number) => registration(`batch-${n}-${config.env.REDIS_PREFIX}`, `n${n}`);
    const effects = async () =>
      (await consumer.dataSource.getRepository(EffectRow).find({ order: { n: 'ASC' } }))
        .filter((e) => e.n >= 200)
        .map((e) => e.n - 200);
    const publish = (events: EventEnvelope[]) =>
      // In-process, publish resolves once the consumer took the events (and rejects on a failure).
      useRedis ? transport.publish(events) : transport.publish(events).catch((e: AggregateError) => e);

    const ids = (...ns: number[]) => ns.map((n) => registered(n).id);
    await publish([registered(1)]);
    await eventually(async () => (await outcome('handled')) === 1);
    // 3 refused by its handler, 2 and 4 fine: their transaction is rolled back when 3 throws,
    // and each is taken again alone.
    const failed = await publish([registered(2), registered(3), registered(4)]);
    if (!useRedis)
      expect((failed as AggregateError).errors.map((e: Error) => e.message)).toEqual(['refused']);
    await eventually(async () => (await outcome('handled')) === 3);
    expect(await outcome('failed')).toBeGreaterThanOrEqual(1);
    expect(await effects()).toEqual([1, 2, 4]);
    // 1 again (a redelivery) with 5 new, and 3 delivered again (Redis: from the pending list),
    // no longer refused: the duplicate stops the transaction at its inbox row, before any effect.
    refused = '';
    await publish(useRedis ? [registered(1), registered(5)] : [registered(1), registered(3), registered(5)]);
    await eventually(async () => (await outcome('handled')) === 5);
    expect(await outcome('duplicate')).toBe(1);
    expect(await effects()).toEqual([1, 2, 3, 4, 5]);
    const inbox = await consumer.dataSource.getRepository(InboxEventRow).findBy({ consumer: group });
    expect(inbox.map((row) => row.eventId).sort()).toEqual(ids(1, 2, 3, 4, 5).sort());
    if (useRedis) return;
    expect(calls).toEqual(ids(1, 2, 3, 2, 3, 4, 3, 5));
    // A delivery without trouble: one transaction (BEGIN, three inbox rows in one statement,
    // three effects, COMMIT; on MySQL the BEGIN goes with the inbox rows) instead of four
    // statements for each event.
    const before = consumer.queries.roundTrips;
    await publish([registered(6), registered(7), registered(8)]);
    expect(consumer.queries.roundTrips - before).toBe(consumer.kind === 'mysql' ? 5 : 6);
    expect(await effects()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The same delivery again (a relay that died before marking it): stopped at the inbox, the
    // three read back in one statement and skipped, no handler run (BEGIN, the inbox statement,
    // ROLLBACK, the read; on MySQL the BEGIN goes with the inbox statement) instead of a
    // transaction for each.
    const again = consumer.queries.roundTrips;
    await publish([registered(6), registered(7), registered(8)]);
    expect(consumer.queries.roundTrips - again).toBe(consumer.kind === 'mysql' ? 3 : 4);
    expect(await outcome('duplicate')).toBe(4);
    expect(calls).toEqual(ids(1, 2, 3, 2, 3, 4, 3, 5, 6, 7, 8));
  });

  // The choice is the consumer's, whatever the transport: shown on the in-process one.
  (useRedis ? it.skip : it)(
    'hands a delivery of several events to handleAll, a lone one to handle; a throw of handleAll takes them one by one',
    async () => {
      const transport = newTransport();
      const seen: string[] = [];
      let refuseAll = false;
      const effect = (manager: EntityManager, event: EventEnvelope<'member.registered'>) =>
        manager.insert(EffectRow, { eventId: event.id, n: 300 + Number(event.payload.memberId.slice(1)) });
      await registerConsumer(transport, new Transactor(consumer), logger, {
        group: 'test.all',
        topics: [Topics.memberRegistered],
        handle: async (event, { manager }) => {
          seen.push(`one ${event.id}`);
          await effect(manager, event);
        },
        handleAll: async (events, { manager }) => {
          seen.push(`all ${events.map((e) => e.id).join(' ')}`);
          // Written before the throw: the rollback takes it back.
          await effect(manager, events[0]);
          if (refuseAll) throw new Error('not batched');
          for (const event of events.slice(1)) await effect(manager, event);
        },
      });
      const r = (n: number) => registration(`all-${n}`, `a${n}`);
      await transport.publish([r(1)]);
      await transport.publish([r(2), r(3)]);
      refuseAll = true;
      await transport.publish([r(4), r(5)]);
      expect(seen).toEqual(['one all-1', 'all all-2 all-3', 'all all-4 all-5', 'one all-4', 'one all-5']);
      const effects = await consumer.dataSource.getRepository(EffectRow).find({ order: { n: 'ASC' } });
      expect(effects.filter((e) => e.n >= 300).map((e) => e.eventId)).toEqual(
        [1, 2, 3, 4, 5].map((n) => `all-${n}`),
      );
    },
  );

  // The check is the consumer's, whatever the transport: shown on the in-process one.
  (useRedis ? it.skip : it)(
    'fails a delivery whose relevance verdicts do not match its events, rather than skip any',
    async () => {
      const transport = newTransport();
      const handled: string[] = [];
      await registerConsumer(transport, new Transactor(consumer), logger, {
        group: 'test.verdicts',
        topics: [Topics.memberRegistered],
        relevant: async () => [true],
        handle: async (event) => {
          handled.push(event.id);
        },
      });
      const failed = (await transport
        .publish([registration('verdict-1', 'v1'), registration('verdict-2', 'v2')])
        .catch((e: AggregateError) => e)) as AggregateError;
      expect(failed.errors.map((e: Error) => e.message)).toEqual(
        Array(2).fill('test.verdicts: 1 relevance verdicts for 2 events'),
      );
      expect(handled).toEqual([]);
    },
  );
});
