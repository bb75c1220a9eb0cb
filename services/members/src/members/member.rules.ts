import { BadInputError, checkText } from '@loyalty/platform';
import { PHONE_MESSAGE, PHONE_PATTERN, type RegisterMemberInput } from './member.input';

/** Normalises what people type: spaces and dashes in phones, case in emails. */
export function normalizeContact(input: Pick<RegisterMemberInput, 'phone' | 'email'>) {
  const phone = input.phone?.replace(/[\s-]/g, '') || null;
  const email = input.email?.trim().toLowerCase() || null;
  return { phone, email };
}

/** A sign-up as stored: trimmed, normalised, and with a way to reach the member. */
export interface Registration {
  displayName: string;
  phone: string | null;
  email: string | null;
  referralCode: string | null;
}

/** Validates and normalises a sign-up (pure); throws BAD_USER_INPUT naming the field. */
export function normalizeRegistration(input: RegisterMemberInput): Registration {
  const { phone, email } = normalizeContact(input);
  const displayName = checkText(input.displayName, 'displayName', 50);
  if (phone && !PHONE_PATTERN.test(phone)) throw new BadInputError(PHONE_MESSAGE, 'phone');
  if (!phone && !email) throw new BadInputError('A phone number or an email address is required', 'phone');
  const referralCode = input.referralCode?.trim().toUpperCase() || null;
  return { displayName, phone, email, referralCode };
}
