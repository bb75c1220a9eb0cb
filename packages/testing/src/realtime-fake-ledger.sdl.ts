/** The stand-in ledger's schema (see realtime-fake-ledger.ts). */

const BASE = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
scalar DateTime
enum PointKind { REGULAR GREEN }
enum LedgerEntryType { EARN REDEEM EXPIRE REVERSE ADJUST COMPENSATE }
type BalanceChange {
  member: Member!
  kind: PointKind!
  delta: Int!
  balance: Int!
  entry: LedgerEntry!
  sequence: Int!
}
type ExpiryWarning {
  member: Member!
  kind: PointKind!
  points: Int!
  expiresAt: DateTime!
  daysLeft: Int!
}
type Member @key(fields: "id") {
  id: ID!
  balance(kind: PointKind = REGULAR): Int!
  balanceChanges(afterSequence: Int!, first: Int): [BalanceChange!]!
}
type Query {
  expiryWarningsPreview: [ExpiryWarning!]!
}
type Mutation {
  fakeAdjust(memberId: ID!, points: Int!, description: String): LedgerEntry!
}
`;

const ENTRY_FIELDS = `
  id: ID!
  type: LedgerEntryType!
  kind: PointKind!
  points: Int!
  balanceAfter: Int!
  description: String!
  createdAt: DateTime!
  expiresAt: DateTime
  sequence: Int!`;

/** Entries as plain values: live payloads reaching `entry` are resolved through gateway queries. */
export const FAKE_LEDGER_SDL = `${BASE}type LedgerEntry {${ENTRY_FIELDS}\n}\n`;

/**
 * Entries as entities with their merchant, as the real ledger serves them: live payloads are
 * resolved in bulk with `_entities` (the realtime benchmark's ledger).
 */
export const FAKE_LEDGER_ENTITIES_SDL = `${BASE}type LedgerEntry @key(fields: "id") {${ENTRY_FIELDS}
  merchant: Merchant
}
type Merchant @key(fields: "id", resolvable: false) { id: ID! }
`;
