/**
 * A stand-in ledger subgraph for gateway realtime tests and the realtime benchmark: it serves the
 * ledger's realtime surface (`BalanceChange`, `ExpiryWarning`, `Member.balanceChanges`) from
 * memory and publishes `balance.changed` / `points.expiring` on the event transport the way the
 * ledger's outbox relay does, so the gateway side can be exercised (and measured) without a
 * database behind the ledger. Several instances may share one `store` (replicas of one database).
 */
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import {
  createLogger,
  createRequestHandler,
  createServer,
  ErrorCode,
  listen,
  Metrics,
  Authenticator,
  Topics,
  type PlatformConfig,
  type EventEnvelope,
  type EventTransport,
  type Principal,
} from '@loyalty/platform';
import { FAKE_LEDGER_ENTITIES_SDL, FAKE_LEDGER_SDL } from './realtime-fake-ledger.sdl';

export { FAKE_LEDGER_ENTITIES_SDL, FAKE_LEDGER_SDL };

export interface RealtimeFakeEntry {
  id: string;
  memberId: string;
  type: string;
  kind: string;
  points: number;
  balanceAfter: number;
  description: string;
  createdAt: string;
  expiresAt: string | null;
  sequence: number;
  merchantId: string | null;
}

export interface AppendOptions {
  type?: string;
  description?: string;
  merchantId?: string | null;
}

/** The "database": entries per member, in sequence order, and by id. */
export class RealtimeLedgerStore {
  readonly entries = new Map<string, RealtimeFakeEntry[]>();
  readonly byId = new Map<string, RealtimeFakeEntry>();

  append(memberId: string, points: number, o: AppendOptions = {}): RealtimeFakeEntry {
    const list = this.entries.get(memberId) ?? [];
    this.entries.set(memberId, list);
    const previous = list[list.length - 1];
    const entry: RealtimeFakeEntry = {
      id: randomUUID(),
      memberId,
      type: o.type ?? 'ADJUST',
      kind: 'REGULAR',
      points,
      balanceAfter: (previous?.balanceAfter ?? 0) + points,
      description: o.description ?? 'Adjustment',
      createdAt: new Date().toISOString(),
      expiresAt: null,
      sequence: list.length + 1,
      merchantId: o.merchantId ?? null,
    };
    list.push(entry);
    this.byId.set(entry.id, entry);
    return entry;
  }
}

export interface RealtimeFakeLedger {
  url: string;
  sdl: string;
  store: RealtimeLedgerStore;
  /** Appends an entry and (unless `publish: false`, a lost event) publishes `balance.changed`. */
  change(
    memberId: string,
    points: number,
    options?: AppendOptions & { publish?: boolean },
  ): Promise<RealtimeFakeEntry>;
  /** Publishes a `points.expiring` warning. */
  warn(memberId: string, points: number, expiresAt: Date, daysLeft: number): Promise<void>;
  stop(): Promise<void>;
}

export function balanceChangedEvent(entry: RealtimeFakeEntry): EventEnvelope<typeof Topics.balanceChanged> {
  return {
    id: randomUUID(),
    topic: Topics.balanceChanged,
    key: entry.memberId,
    occurredAt: entry.createdAt,
    source: 'ledger',
    payload: {
      memberId: entry.memberId,
      kind: entry.kind,
      delta: entry.points,
      balance: entry.balanceAfter,
      entryId: entry.id,
      entryType: entry.type,
      sequence: entry.sequence,
      createdAt: entry.createdAt,
    },
  };
}

interface Ctx {
  principal: Principal | null;
}

export async function startRealtimeFakeLedger(options: {
  transport: EventTransport;
  /** Whose tokens it accepts: the graph's configuration. */
  config: PlatformConfig;
  store?: RealtimeLedgerStore;
  port?: number;
  /** Serve `LedgerEntry` as an entity with its merchant (FAKE_LEDGER_ENTITIES_SDL). */
  entities?: boolean;
}): Promise<RealtimeFakeLedger> {
  const sdl = options.entities ? FAKE_LEDGER_ENTITIES_SDL : FAKE_LEDGER_SDL;
  const store = options.store ?? new RealtimeLedgerStore();
  const authenticator = Authenticator.fromConfig(options.config);
  const forbidden = () => new GraphQLError('Not allowed', { extensions: { code: ErrorCode.FORBIDDEN } });
  const canRead = (ctx: Ctx, memberId: string) => {
    const p = ctx.principal;
    if (!p)
      throw new GraphQLError('Authentication required', { extensions: { code: ErrorCode.UNAUTHENTICATED } });
    if (p.role === 'member' && p.sub !== memberId) throw forbidden();
    if (p.role === 'partner') throw forbidden();
  };
  const change: RealtimeFakeLedger['change'] = async (memberId, points, o = {}) => {
    const entry = store.append(memberId, points, o);
    if (o.publish !== false) await options.transport.publish([balanceChangedEvent(entry)]);
    return entry;
  };
  const toChange = (e: RealtimeFakeEntry) => ({
    member: { __typename: 'Member', id: e.memberId },
    kind: e.kind,
    delta: e.points,
    balance: e.balanceAfter,
    entry: e,
    sequence: e.sequence,
  });
  const schema = buildSubgraphSchema({
    typeDefs: parse(sdl),
    resolvers: {
      ...(options.entities && {
        LedgerEntry: {
          __resolveReference: (ref: { id: string }, ctx: Ctx) => {
            const entry = store.byId.get(ref.id);
            if (entry) canRead(ctx, entry.memberId);
            return entry ?? null;
          },
          merchant: (e: RealtimeFakeEntry) =>
            e.merchantId ? { __typename: 'Merchant', id: e.merchantId } : null,
        },
      }),
      Query: { expiryWarningsPreview: () => [] },
      Mutation: {
        fakeAdjust: async (
          _: unknown,
          args: { memberId: string; points: number; description?: string },
          ctx: Ctx,
        ) => {
          if (ctx.principal?.role !== 'admin') throw forbidden();
          return change(args.memberId, args.points, { description: args.description });
        },
      },
      Member: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        balance: (m: { id: string }) => store.entries.get(m.id)?.at(-1)?.balanceAfter ?? 0,
        balanceChanges: (
          m: { id: string },
          args: { afterSequence: number; first?: number | null },
          ctx: Ctx,
        ) => {
          canRead(ctx, m.id);
          const list = store.entries.get(m.id) ?? [];
          // Sequences are dense from 1: entry n sits at index n - 1.
          return list
            .slice(Math.max(0, args.afterSequence), Math.max(0, args.afterSequence) + (args.first ?? 100))
            .map(toChange);
        },
      },
    } as never,
  });
  const server = new ApolloServer<Ctx>({
    schema,
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await server.start();
  // Served like the real subgraphs (the platform's node:http handler), not Apollo's standalone server.
  const httpServer = createServer();
  httpServer.on(
    'request',
    createRequestHandler<Ctx>({
      apollo: server,
      context: async (req) => {
        try {
          return { principal: await authenticator.authenticate(req.headers.authorization) };
        } catch {
          return { principal: null };
        }
      },
      ready: async () => true,
      metrics: new Metrics('fake-ledger', false),
      logger: createLogger('fake-ledger', 'warn'),
    }),
  );
  const port = await listen(httpServer, options.port ?? 0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    url,
    sdl,
    store,
    change,
    async warn(memberId, points, expiresAt, daysLeft) {
      await options.transport.publish([
        {
          id: randomUUID(),
          topic: Topics.pointsExpiring,
          key: memberId,
          occurredAt: new Date().toISOString(),
          source: 'ledger',
          payload: {
            memberId,
            kind: 'REGULAR',
            points,
            expiresAt: expiresAt.toISOString(),
            daysLeft,
            lotId: randomUUID(),
            lead: 'PT12S',
            warningId: randomUUID(),
            createdAt: new Date().toISOString(),
            merchantId: null,
          },
        },
      ]);
    },
    async stop() {
      await server.stop();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
