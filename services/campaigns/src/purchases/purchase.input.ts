import { Field, ID, InputType, Int } from 'type-graphql';

@InputType()
export class PurchaseItemInput {
  @Field()
  sku: string;

  @Field(() => String, { nullable: true })
  category?: string | null;

  @Field(() => Int, { description: 'Line total in minor units.' })
  amount: number;

  @Field(() => Int, { nullable: true, defaultValue: 1 })
  quantity?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Eco-friendly item: earns GREEN points.',
  })
  green?: boolean | null;
}

@InputType()
export class PurchaseInput {
  @Field(() => ID)
  merchantId: string;

  @Field({ description: "The merchant's own order id; with merchantId it is the idempotency key." })
  orderId: string;

  @Field(() => ID)
  memberId: string;

  @Field(() => Int, { description: 'Total in minor units (e.g. fen).' })
  amount: number;

  @Field(() => String, { nullable: true, defaultValue: 'CNY' })
  currency?: string | null;

  @Field(() => Date, { nullable: true })
  occurredAt?: Date | null;

  @Field(() => [PurchaseItemInput], { nullable: true })
  items?: PurchaseItemInput[] | null;
}

@InputType()
export class RefundInput {
  @Field(() => ID)
  merchantId: string;

  @Field()
  orderId: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Refunded amount in minor units; omitted: the whole purchase.',
  })
  amount?: number | null;

  @Field()
  refundId: string;
}
