import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType()
export class ConsentRecord {
  @Field()
  purpose: string;

  @Field()
  granted: boolean;

  @Field()
  version: string;

  @Field()
  recordedAt: Date;

  @Field()
  recordedVia: string;
}

@ObjectType({
  description:
    'Everything the members service holds about a person (PIPL access/portability). Points history is in `Member.history`.',
})
export class PersonalDataExport {
  @Field(() => ID)
  memberId: string;

  @Field()
  displayName: string;

  @Field(() => String, { nullable: true })
  phone: string | null;

  @Field(() => String, { nullable: true })
  email: string | null;

  @Field()
  joinedAt: Date;

  @Field()
  registeredVia: string;

  @Field(() => Date, { nullable: true })
  erasedAt: Date | null;

  @Field(() => [ConsentRecord])
  consents: ConsentRecord[];

  @Field()
  generatedAt: Date;
}
