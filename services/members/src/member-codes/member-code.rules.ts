/** A member code lives two minutes (contract "Consent at the till"). */
export const MEMBER_CODE_TTL_MS = 2 * 60_000;

/** Digits of a member code: 10^12 codes, so guessing one of a member's within two minutes is hopeless. */
export const MEMBER_CODE_DIGITS = 12;

/** What a till may type: the digits, with any spaces or dashes the app showed dropped. */
export function normalizeMemberCode(code: string): string {
  return code.replace(/[\s-]/g, '');
}

/** A well-formed code (anything else is refused without a lookup). */
export function isMemberCode(code: string): boolean {
  return new RegExp(`^\\d{${MEMBER_CODE_DIGITS}}$`).test(code);
}
