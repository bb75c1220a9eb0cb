import { randomUUID } from 'node:crypto';
import { startGateway, type RunningGateway } from '@loyalty/gateway';
import { startGraph, type RunningGraph } from '@loyalty/launcher';
import { startService, type PlatformConfig, type RunningService } from '@loyalty/platform';
import { graphqlRequest, testConfig, tokensFor } from '@loyalty/testing';
import {
  catalogService,
  createApp,
  loadCatalogConfig,
  type CatalogApp,
  type CatalogPorts,
} from '@loyalty/catalog';

/**
 * The whole graph through the gateway, the real ledger included; a test may give the catalog other
 * ports (an in-memory ledger for outages) and stop/restart it like a crashed process.
 */
export class CatalogHarness {
  readonly config: PlatformConfig = testConfig();
  readonly tokens = tokensFor(this.config);
  graph: RunningGraph;
  catalog: RunningService<CatalogApp>;
  private gateway: RunningGateway | null = null;

  constructor(private readonly ports: Partial<CatalogPorts> = {}) {}

  async start(): Promise<this> {
    const services = this.ports.ledger
      ? (['members', 'ledger', 'campaigns', 'referrals'] as const)
      : (['members', 'ledger', 'catalog', 'campaigns', 'referrals'] as const);
    if (!this.ports.ledger) {
      this.graph = await startGraph({ config: this.config, ephemeralPorts: true, services: [...services] });
      this.catalog = this.graph.services.catalog as RunningService<CatalogApp>;
      return this;
    }
    // The gateway fixes subgraph URLs when it starts: the catalog must be up (and its port known) first.
    this.graph = await startGraph({
      config: this.config,
      ephemeralPorts: true,
      services: [...services],
      gateway: false,
    });
    this.catalog = await this.startCatalog(0);
    this.gateway = await startGateway({
      config: this.config,
      peers: this.graph.peers,
      transport: this.graph.transport,
      port: 0,
    });
    return this;
  }

  /** Stops the catalog (in-flight requests finish) and starts a fresh process on the same port. */
  async restartCatalog(): Promise<RunningService<CatalogApp>> {
    if (this.ports.ledger) {
      const port = this.catalog.port;
      await this.catalog.stop();
      this.catalog = await this.startCatalog(port);
    } else {
      await this.graph.stopService('catalog');
      this.catalog = (await this.graph.restartService('catalog')) as RunningService<CatalogApp>;
    }
    return this.catalog;
  }

  get app(): CatalogApp {
    return this.catalog.app;
  }

  async stop(): Promise<void> {
    await this.gateway?.stop();
    if (this.ports.ledger) await this.catalog?.stop();
    await this.graph?.stop();
  }

  gql(query: string, variables?: Record<string, unknown>, token?: string) {
    return graphqlRequest(this.gateway?.url ?? this.graph.url, query, variables, token);
  }

  /** Like {@link gql} but fails the test on any error. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async ok<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<T> {
    const res = await this.gql(query, variables, token);
    if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
    return res.data as T;
  }

  async merchant(name: string, category = 'dining'): Promise<string> {
    const data = await this.ok(
      'mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }',
      { i: { name, category } },
      this.tokens.admin(),
    );
    return data.createMerchant.id;
  }

  async member(displayName: string): Promise<string> {
    const email = `${displayName.toLowerCase().replace(/\W+/g, '.')}.${Math.random().toString(36).slice(2, 8)}@example.com`;
    const data = await this.ok('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
      i: { displayName, email },
    });
    return data.registerMember.id;
  }

  async reward(input: Record<string, unknown>, token = this.tokens.admin()): Promise<string> {
    const data = await this.ok(
      'mutation($i: CreateRewardInput!) { createReward(input: $i) { id } }',
      { i: input },
      token,
    );
    return data.createReward.id;
  }

  redeem(input: Record<string, unknown>, token: string) {
    return this.gql(
      'mutation($i: RedeemInput!) { redeemReward(input: $i) { id status points cashAmount quantity reward { id } member { id } } }',
      { i: input },
      token,
    );
  }

  /** Rows in the catalog's own database (for "nothing written" checks). */
  async count(
    table: 'rewards' | 'redemptions' | 'redemption_transitions' | 'price_rules' | 'outbox_events',
  ): Promise<number> {
    const rows = await this.catalog.runtime.db.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(rows[0].n);
  }

  async stock(rewardId: string): Promise<number | null> {
    const data = await this.ok('query($id: ID!) { reward(id: $id) { stock } }', { id: rewardId });
    return data.reward.stock;
  }

  /** Grants points through the real ledger (an operator adjustment). */
  async give(memberId: string, points: number, kind = 'REGULAR'): Promise<void> {
    await this.ok(
      'mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { id } }',
      { i: { memberId, kind, points, reason: 'Test grant', idempotencyKey: `grant-${randomUUID()}` } },
      this.tokens.admin(),
    );
  }

  /** Spendable points of one kind, as the real ledger reports them (held points excluded). */
  async balance(memberId: string, kind = 'REGULAR'): Promise<number> {
    const data = await this.ok(
      'query($id: ID!, $k: PointKind) { member(id: $id) { balance(kind: $k) } }',
      { id: memberId, k: kind },
      this.tokens.admin(),
    );
    return data.member.balance;
  }

  /** A member's ledger history, newest first. */
  async history(memberId: string): Promise<{ type: string; points: number; description: string }[]> {
    const data = await this.ok(
      'query($id: ID!) { member(id: $id) { history(first: 100) { edges { node { type points description } } } } }',
      { id: memberId },
      this.tokens.admin(),
    );
    return data.member.history.edges.map((e: { node: unknown }) => e.node);
  }

  /** Points the real ledger still holds for a member (neither captured nor released). */
  async held(memberId: string): Promise<number> {
    const rows = await this.ledgerDb().query(
      'SELECT COALESCE(SUM(points), 0) AS n FROM ledger_holds WHERE memberId = ? AND status = ?',
      [memberId, 'HELD'],
    );
    return Number(rows[0].n);
  }

  /** Rows in the real ledger's own database (for "nothing written" checks). */
  async ledgerRows(table: 'ledger_holds' | 'ledger_entries'): Promise<number> {
    const rows = await this.ledgerDb().query(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(rows[0].n);
  }

  private ledgerDb() {
    const ledger = this.graph.services.ledger;
    if (!ledger) throw new Error('the ledger subgraph is not running');
    return ledger.runtime.db.dataSource;
  }

  private startCatalog(port: number): Promise<RunningService<CatalogApp>> {
    return startService(
      {
        ...catalogService,
        createApp: (runtime) => createApp(runtime, loadCatalogConfig(this.config), this.ports),
      },
      { config: this.config, transport: this.graph.transport, peers: this.graph.peers, port },
    );
  }
}
