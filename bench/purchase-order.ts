/** The purchase the purchase benchmark records: a typical order that earns three awards. */

/** The mutation, answering with what a till shows. */
export const RECORD = `mutation Record($i: PurchaseInput!) {
  recordPurchase(input: $i) { purchase { id } awards { kind points status } }
}`;

/**
 * A 100-yuan order with one green item at `merchant` for `member`: with the bench's programme it
 * earns base REGULAR, GREEN and the campaign's bonus.
 */
export function orderVariables(merchant: string, orderId: string, member: string) {
  return {
    i: {
      merchantId: merchant,
      orderId,
      memberId: member,
      amount: 10_000,
      items: [
        { sku: 'rice', amount: 7_000 },
        { sku: 'organic-veg', category: 'organic-food', amount: 3_000, green: true },
      ],
    },
  };
}
