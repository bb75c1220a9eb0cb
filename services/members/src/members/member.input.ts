import { IsEmail, IsOptional, Length, Matches, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

/** Mainland mobile numbers (11 digits from 13x to 19x) or E.164 international numbers. */
export const PHONE_PATTERN = /^(1[3-9]\d{9}|\+[1-9]\d{6,14})$/;
export const PHONE_MESSAGE = 'phone must be an 11-digit mainland mobile number or E.164 (+…)';

@InputType()
export class RegisterMemberInput {
  @Field()
  @Length(1, 50, { message: 'displayName must be 1 to 50 characters' })
  displayName: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  // Separators are allowed here and stripped before the strict check in the service.
  @Matches(/^\+?[0-9][0-9 -]{5,24}$/, { message: PHONE_MESSAGE })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid address' })
  email?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(4, 32)
  referralCode?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Consent to marketing messages; joining records consent to the programme terms.',
  })
  marketingConsent?: boolean;
}
