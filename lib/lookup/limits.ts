/**
 * Limits of routes that read a whole chat at once. Constants by default; tests lower them
 * through the lookup context (LookupDepsOverrides.limits) instead of building 6 MB answers.
 */
import { LAMBDA_RESPONSE_LIMIT_BYTES } from '../http/raw-response.ts';
import type { LookupContext } from './context.ts';

/**
 * The most members a sorted member list reads (every page reads all of them): 20,000 take a
 * Query or two and 200 BatchGetItem requests, 8 in flight (25 round trips), and about 1.6 s
 * of CPU on a full core for the SDK to parse (`npm run bench` measures 10,000): an estimated
 * 3 s per page at the lookup function's 1024 MB, inside its 10 s timeout. Beyond it: 413,
 * pointing to the unsorted list and the export.
 */
export const MAX_SORTED_MEMBERS = 20_000;

export interface LookupLimits {
  /** Bytes an answer may weigh as Lambda carries it (lib/http/raw-response.ts). */
  responseBytes: number;
  /** Members a sorted member list may read. */
  sortedMembers: number;
}

export const DEFAULT_LOOKUP_LIMITS: Readonly<LookupLimits> = Object.freeze({
  responseBytes: LAMBDA_RESPONSE_LIMIT_BYTES,
  sortedMembers: MAX_SORTED_MEMBERS,
});

export function limitsOf(ctx: LookupContext): LookupLimits {
  return { ...DEFAULT_LOOKUP_LIMITS, ...ctx.limits };
}
