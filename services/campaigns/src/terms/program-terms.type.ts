import { Field, Int, ObjectType } from 'type-graphql';
import { Campaign } from '../campaigns/campaign.type';

@ObjectType()
export class ValidityChange {
  @Field({ description: 'ISO-8601 duration or NEVER, for points earned from effectiveAt.' })
  validity: string;

  @Field()
  effectiveAt: Date;

  @Field()
  announcedAt: Date;

  @Field()
  reason: string;
}

@ObjectType()
export class ProgramTerms {
  @Field({ description: 'ISO-8601 duration for which earned points stay valid, or NEVER.' })
  pointsValidity: string;

  @Field(() => [Int], { description: 'How many days ahead members are warned before points expire.' })
  expiryWarningDays: number[];

  @Field(() => [String], { description: 'Readable earn, accumulation, validity and redemption rules.' })
  rules: string[];

  @Field(() => [Campaign], { description: 'Campaigns in force or announced.' })
  campaigns: Campaign[];

  @Field(() => [ValidityChange], { description: 'Announced changes of validity for newly earned points.' })
  upcomingValidityChanges: ValidityChange[];
}
