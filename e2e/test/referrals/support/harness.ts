import { randomUUID } from 'node:crypto';
import { startGraph, type RunningGraph } from '@loyalty/launcher';
import {
  Topics,
  type EventEnvelope,
  type PlatformConfig,
  type PurchaseRecorded,
  type RunningService,
} from '@loyalty/platform';
import { eventually, graphqlRequest, testEvent, tokensFor } from '@loyalty/testing';
import type { ReferralsApp } from '@loyalty/referrals';
import type { ReferralGrantRow, ReferralRow } from '@loyalty/referrals';
import { FakeLedger } from './fake-ledger';

const REGISTER = `mutation Register($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`;

/** The whole graph on free ports, with the ledger's internal API played by a fake (until it lands). */
export class ReferralHarness {
  graph!: RunningGraph;
  ledger = new FakeLedger();
  tokens: ReturnType<typeof tokensFor>;
  private phone = 13800000000 + Math.floor(Math.random() * 1_000_000);

  constructor(
    readonly config: PlatformConfig,
    /** false: talk to the real ledger subgraph. */
    private readonly fakeLedger = true,
  ) {
    this.tokens = tokensFor(config);
  }

  async start(): Promise<void> {
    this.graph = await startGraph({ config: this.config, ephemeralPorts: true });
    if (this.fakeLedger) this.graph.peers.set('ledger', await this.ledger.start());
  }

  async stop(): Promise<void> {
    await this.graph?.stop();
    await this.ledger.stop();
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
    const purchaseId = randomUUID();
    return testEvent(Topics.purchaseRecorded, {
      purchaseId,
      merchantId: 'merchant-1',
      memberId,
      orderId: `order-${purchaseId.slice(0, 8)}`,
      amount,
      occurredAt: new Date().toISOString(),
      firstPurchase: false,
      awards: [],
      ...overrides,
    });
  }

  refund(
    purchase: EventEnvelope<typeof Topics.purchaseRecorded>,
    refundedTotal: number,
    occurredAt = new Date(),
  ): EventEnvelope<typeof Topics.purchaseRefunded> {
    const p = purchase.payload;
    return testEvent(
      Topics.purchaseRefunded,
      {
        purchaseId: p.purchaseId,
        refundId: randomUUID(),
        merchantId: p.merchantId,
        memberId: p.memberId,
        amount: refundedTotal,
        refundedTotal,
        fullyRefunded: refundedTotal >= p.amount,
      },
      { occurredAt: occurredAt.toISOString() },
    );
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
