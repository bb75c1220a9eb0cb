/**
 * The realtime benchmark's stand-in ledger: the ledger's realtime surface from memory
 * (`Member.balanceChanges`, `BalanceChange`, `LedgerEntry` as an entity with its merchant), served
 * like the real subgraphs (the platform's node:http handler, tokens verified, members see only
 * their own entries), so the benchmark measures the gateway without a database behind the ledger.
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
  type PlatformConfig,
  Topics,
  type EventEnvelope,
  type Principal,
} from '@loyalty/platform';

export const BENCH_LEDGER_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
scalar DateTime
enum PointKind { REGULAR GREEN }
enum LedgerEntryType { EARN REDEEM EXPIRE REVERSE ADJUST COMPENSATE }
type LedgerEntry @key(fields: "id") {
  id: ID!
  type: LedgerEntryType!
  kind: PointKind!
  points: Int!
  balanceAfter: Int!
  description: String!
  createdAt: DateTime!
  sequence: Int!
  merchant: Merchant
}
type Merchant @key(fields: "id", resolvable: false) { id: ID! }
type BalanceChange {
  member: Member!
  kind: PointKind!
  delta: Int!
  balance: Int!
  entry: LedgerEntry!
  sequence: Int!
}
type Member @key(fields: "id") {
  id: ID!
  balance(kind: PointKind = REGULAR): Int!
  balanceChanges(afterSequence: Int!, first: Int): [BalanceChange!]!
}
type Query { ledgerVersion: String! }
`;

export interface BenchEntry {
  id: string;
  memberId: string;
  merchantId: string | null;
  type: string;
  kind: string;
  points: number;
  balanceAfter: number;
  description: string;
  createdAt: string;
  sequence: number;
}

/** Entries per member in sequence order, and by id. */
export class BenchLedgerStore {
  readonly byMember = new Map<string, BenchEntry[]>();
  readonly byId = new Map<string, BenchEntry>();

  append(memberId: string, points: number, merchantId: string | null): BenchEntry {
    const list = this.byMember.get(memberId) ?? [];
    this.byMember.set(memberId, list);
    const previous = list[list.length - 1];
    const entry: BenchEntry = {
      id: randomUUID(),
      memberId,
      merchantId,
      type: 'EARN',
      kind: 'REGULAR',
      points,
      balanceAfter: (previous?.balanceAfter ?? 0) + points,
      description: 'Purchase',
      createdAt: new Date().toISOString(),
      sequence: list.length + 1,
    };
    list.push(entry);
    this.byId.set(entry.id, entry);
    return entry;
  }
}

/** What the ledger's outbox relay publishes for an entry. */
export function balanceChanged(entry: BenchEntry): EventEnvelope<typeof Topics.balanceChanged> {
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

export async function startBenchLedger(config: PlatformConfig) {
  const store = new BenchLedgerStore();
  const authenticator = Authenticator.fromConfig(config);
  const canRead = (ctx: Ctx, memberId: string) => {
    const p = ctx.principal;
    if (!p)
      throw new GraphQLError('Authentication required', { extensions: { code: ErrorCode.UNAUTHENTICATED } });
    if ((p.role === 'member' && p.sub !== memberId) || p.role === 'partner')
      throw new GraphQLError('Not allowed', { extensions: { code: ErrorCode.FORBIDDEN } });
  };
  const toChange = (e: BenchEntry) => ({
    member: { __typename: 'Member', id: e.memberId },
    kind: e.kind,
    delta: e.points,
    balance: e.balanceAfter,
    entry: e,
    sequence: e.sequence,
  });
  const schema = buildSubgraphSchema({
    typeDefs: parse(BENCH_LEDGER_SDL),
    resolvers: {
      Query: { ledgerVersion: () => 'bench' },
      LedgerEntry: {
        __resolveReference: (ref: { id: string }, ctx: Ctx) => {
          const entry = store.byId.get(ref.id);
          if (entry) canRead(ctx, entry.memberId);
          return entry ?? null;
        },
        merchant: (e: BenchEntry) => (e.merchantId ? { __typename: 'Merchant', id: e.merchantId } : null),
      },
      Member: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        balance: (m: { id: string }) => store.byMember.get(m.id)?.at(-1)?.balanceAfter ?? 0,
        balanceChanges: (
          m: { id: string },
          args: { afterSequence: number; first?: number | null },
          ctx: Ctx,
        ) => {
          canRead(ctx, m.id);
          const list = store.byMember.get(m.id) ?? [];
          const from = Math.max(0, args.afterSequence);
          return list.slice(from, from + (args.first ?? 100)).map(toChange);
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
      metrics: new Metrics('bench-ledger', false),
      logger: createLogger('bench-ledger', 'warn'),
    }),
  );
  const port = await listen(httpServer, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    sdl: BENCH_LEDGER_SDL,
    store,
    async stop() {
      await server.stop();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
