import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Merchant } from '../merchants/merchant.type';

@ObjectType('WebhookEndpoint')
export class WebhookEndpoint {
  @Field(() => ID)
  id: string;

  @Field(() => Merchant)
  merchant: Merchant;

  @Field()
  url: string;

  @Field(() => [String], {
    description: 'purchase.recorded, purchase.refunded, redemption.status_changed',
  })
  events: string[];

  @Field()
  active: boolean;

  @Field()
  createdAt: Date;
}

@ObjectType('CreatedWebhookEndpoint')
export class CreatedWebhookEndpoint {
  @Field(() => WebhookEndpoint)
  endpoint: WebhookEndpoint;

  @Field({ description: 'Signing secret (whsec_ followed by base64); shown once.' })
  secret: string;
}

export enum WebhookDeliveryStatusValue {
  PENDING = 'PENDING',
  DELIVERING = 'DELIVERING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

registerEnumType(WebhookDeliveryStatusValue, {
  name: 'WebhookDeliveryStatus',
  description:
    'PENDING: waiting for its next attempt; DELIVERING: an attempt is in flight; SUCCEEDED: a 2xx answer; ' +
    'FAILED: given up after the retry window; CANCELLED: its endpoint was deleted.',
});

@ObjectType('WebhookDelivery', {
  description: 'One message to one endpoint and how its delivery went (the delivery log).',
})
export class WebhookDelivery {
  @Field(() => ID, { description: 'The `webhook-id` header, the same on every attempt.' })
  id: string;

  @Field(() => ID)
  endpointId: string;

  @Field()
  eventType: string;

  @Field({ description: 'The JSON body sent and signed.' })
  payload: string;

  @Field(() => WebhookDeliveryStatusValue)
  status: WebhookDeliveryStatusValue;

  @Field(() => Int)
  attempts: number;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  lastAttemptAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last answer; null when none came.' })
  lastStatusCode: number | null;

  @Field(() => String, { nullable: true })
  lastError: string | null;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due (PENDING only).' })
  nextAttemptAt: Date | null;

  @Field(() => Date, { nullable: true })
  deliveredAt: Date | null;
}
