import { startGraph, type RunningGraph } from '@loyalty/launcher';
import {
  Topics,
  type EventEnvelope,
  type PlatformConfig,
  type PurchaseRecorded,
  type RunningService,
} from '@loyalty/platform';
import {
  eventually,
  FakeLedger,
  gatewayLedger,
  graphqlRequest,
  purchaseRecordedEvent,
  purchaseRefundedEvent,
  serveFakeLedger,
  tokensFor,
  type GatewayLedger,
} from '@loyalty/testing';
import type { ReferralsApp } from '@loyalty/referrals';
import type { ReferralGrantRow, ReferralRow } from '@loyalty/referrals';

const REGISTER = `mutation Register($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`;

/** A ledger call as the real ledger recorded it: the entry it wrote and the key it came with. */
export interface LedgerCall {
  operation: 'ledgerCredit' | 'ledgerReverse';
  input: {
    memberId: string;
    kind: string;
    /** What the entry moved, unsigned. */
    points: number;
    reason: string;
    sourceType: string | null;
    sourceId: string | null;
    idempotencyKey: string | null;
  };
}

/** The whole graph on free ports, the real ledger included. */
export class ReferralHarness {
  graph!: RunningGraph;
  ledger!: GatewayLedger;
  tokens: ReturnType<typeof tokensFor>;
  private phone = 13800000000 + Math.floor(Math.random() * 1_000_000);

  constructor(readonly config: PlatformConfig) {
    this.tokens = tokensFor(config);
  }

  async start(): Promise<void> {
    this.graph = await startGraph({ config: this.config, ephemeralPorts: true });
    this.ledger = gatewayLedger(this.graph.url, this.tokens);
  }

  async stop(): Promise<void> {
    await this.graph?.stop();
  }

  /** A member's spendable REGULAR points, as the real ledger reports them. */
  balance(memberId: string): Promise<number> {
    return this.ledger.balance(memberId);
  }

  /** Every entry the real ledger holds for a member, oldest first, with the key that wrote it. */
  async ledgerCalls(memberId: string): Promise<LedgerCall[]> {
    const db = this.graph.services.ledger!.runtime.db.dataSource;
    const entries: {
      id: string;
      type: string;
      kind: string;
      points: number;
      description: string;
      sourceType: string | null;
      sourceId: string | null;
    }[] = await db.query(
      'SELECT id, type, kind, points, description, sourceType, sourceId FROM ledger_entries WHERE memberId = ? ORDER BY sequence',
      [memberId],
    );
    const reversals: { id: string; entryId: string }[] = await db.query(
      'SELECT id, entryId FROM ledger_reversals WHERE memberId = ? AND entryId IS NOT NULL',
      [memberId],
    );
    const refs = [...entries.map((e) => `entry:${e.id}`), ...reversals.map((r) => `reversal:${r.id}`)];
    const keys: { k: string; resultRef: string }[] = refs.length
      ? await db.query(
          `SELECT \`key\` AS k, resultRef FROM ledger_idempotency WHERE resultRef IN (${refs.map(() => '?').join(', ')})`,
          refs,
        )
      : [];
    const keyOf = new Map(keys.map((k) => [k.resultRef, k.k]));
    const reversalOf = new Map(reversals.map((r) => [r.entryId, r.id]));
    return entries.map((e) => ({
      operation: e.type === 'REVERSE' ? 'ledgerReverse' : 'ledgerCredit',
      input: {
        memberId,
        kind: e.kind,
        points: Math.abs(Number(e.points)),
        reason: e.description,
        sourceType: e.sourceType,
        sourceId: e.sourceId,
        idempotencyKey:
          keyOf.get(e.type === 'REVERSE' ? `reversal:${reversalOf.get(e.id)}` : `entry:${e.id}`) ?? null,
      },
    }));
  }

  /**
   * Runs `during` with the referrals service's ledger down (a FakeLedger served in its place, with
   * no effect), then brings the real ledger back.
   */
  async withLedgerDown<T>(during: () => Promise<T>): Promise<T> {
    const fake = new FakeLedger();
    fake.down = true;
    const served = await serveFakeLedger(fake);
    const peers = this.graph.peers;
    const real = peers.url('ledger');
    peers.set('ledger', served.url);
    try {
      const result = await during();
      // It was asked, and it applied nothing.
      expect(fake.calls).toBeGreaterThan(0);
      expect(fake.entries).toEqual([]);
      return result;
    } finally {
      peers.set('ledger', real);
      await served.stop();
    }
  }

  get service(): RunningService<ReferralsApp> {
    return this.graph.services.referrals as RunningService<ReferralsApp>;
  }

  get app(): ReferralsApp {
    return this.service.app;
  }

  gql(query: string, variables: Record<string, unknown> = {}, token?: string) {
    return graphqlRequest(this.graph.url, query, variables, token);
  }

  /** Signs a member up through the gateway; returns their id. */
  async register(displayName: string, referralCode?: string): Promise<string> {
    this.phone += 1;
    const res = await this.gql(REGISTER, { input: { displayName, phone: String(this.phone), referralCode } });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    const id = res.data!.registerMember.id as string;
    // The code is generated when member.registered arrives (or on demand; this waits for the event).
    await eventually(() => this.referralRowOrCode(id));
    return id;
  }

  private async referralRowOrCode(memberId: string) {
    const [row] = await this.app.codes.byMemberIds([memberId]);
    return row;
  }

  async codeOf(memberId: string): Promise<string> {
    const res = await this.gql('{ me { referralCode } }', {}, this.tokens.member(memberId));
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!.me.referralCode as string;
  }

  /** A member registered with `inviterId`'s code; resolves once the invitation is recorded. */
  async invite(inviterId: string, displayName: string): Promise<string> {
    const id = await this.register(displayName, await this.codeOf(inviterId));
    await eventually(() => this.referralOf(id));
    return id;
  }

  /** What campaigns will publish for a recorded purchase. */
  purchase(
    memberId: string,
    amount: number,
    overrides: Partial<PurchaseRecorded> = {},
  ): EventEnvelope<typeof Topics.purchaseRecorded> {
    return purchaseRecordedEvent(memberId, amount, overrides);
  }

  refund(
    purchase: EventEnvelope<typeof Topics.purchaseRecorded>,
    refundedTotal: number,
    occurredAt = new Date(),
  ): EventEnvelope<typeof Topics.purchaseRefunded> {
    return purchaseRefundedEvent(purchase, refundedTotal, occurredAt);
  }

  publish(...events: EventEnvelope[]): Promise<void> {
    return this.graph.transport.publish(events);
  }

  async referralOf(inviteeId: string): Promise<ReferralRow | null> {
    const [row] = await this.app.queries.byInviteeIds([inviteeId]);
    return row;
  }

  async grantsOf(referralId: string): Promise<ReferralGrantRow[]> {
    const [rows] = await this.app.queries.grantsByReferralIds([referralId]);
    return rows;
  }

  /** Waits until every grant of the referral is posted to the ledger. */
  async settled(referralId: string, expected: number): Promise<ReferralGrantRow[]> {
    return eventually(async () => {
      const grants = await this.grantsOf(referralId);
      return grants.length === expected && grants.every((g) => g.status === 'POSTED') ? grants : null;
    });
  }
}
