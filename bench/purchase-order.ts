/** The purchase the purchase benchmark records: a typical order that earns three awards. */
import { typicalOrder } from '@loyalty/testing';

/** The mutation, answering with what a till shows. */
export const RECORD = `mutation Record($i: PurchaseInput!) {
  recordPurchase(input: $i) { purchase { id } awards { kind points status } }
}`;

/** The same order evaluated and nothing written: what the request costs without its writes. */
export const PREVIEW = `query Preview($i: PurchaseInput!) {
  previewPurchase(input: $i) { kind points status }
}`;

/** The recorded order (`typicalOrder`: three awards with the bench's programme) as variables. */
export function orderVariables(merchant: string, orderId: string, member: string) {
  return { i: typicalOrder(merchant, orderId, member) };
}
