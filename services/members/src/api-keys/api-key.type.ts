import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Merchant } from '../merchants/merchant.type';

@ObjectType('PartnerApiKey')
export class PartnerApiKey {
  @Field(() => ID)
  id: string;

  @Field(() => Merchant)
  merchant: Merchant;

  @Field()
  name: string;

  @Field({ description: 'The first characters of the secret, to recognise it.' })
  prefix: string;

  @Field()
  createdAt: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'Last time the key was seen, to within a few seconds (recorded in batches).',
  })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;
}

@ObjectType('CreatedPartnerApiKey')
export class CreatedPartnerApiKey {
  @Field(() => PartnerApiKey)
  key: PartnerApiKey;

  @Field({ description: 'The secret itself; shown once, stored only as a hash.' })
  secret: string;
}

/** Internal: what another service learns about a live key (`partnerApiKeyPrincipal`). */
@ObjectType('PartnerApiKeyPrincipal')
@Directive('@inaccessible')
export class PartnerApiKeyPrincipal {
  @Field(() => ID)
  keyId: string;

  @Field(() => ID)
  merchantId: string;
}
