/**
 * Phone numbers normalized to E.164 (`+` and 8-15 digits). Telegram sends verified numbers
 * as digits without `+`; people type them with spaces, dashes, dots and parentheses.
 */
const SEPARATORS = /[\s\-.()/\u00a0]/g;

/** Returns the E.164 form, or undefined when the input cannot be a phone number. */
export function normalizePhone(input: string): string | undefined {
  let s = input.trim().replace(SEPARATORS, '');
  if (s.startsWith('00')) s = s.slice(2);
  else if (s.startsWith('+')) s = s.slice(1);
  if (!/^[1-9]\d{6,14}$/.test(s)) return undefined;
  return `+${s}`;
}

/** `+7 916 ***-**-67` style masking for anything a human might read (never logs). */
export function maskPhone(e164: string): string {
  return e164.length <= 4 ? '***' : `${e164.slice(0, 2)}***${e164.slice(-2)}`;
}
