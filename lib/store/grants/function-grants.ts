/**
 * Every Lambda function's grants (serverless.yml's roles, held to these by the template
 * test), and the key kinds no function reaches.
 */
import { DISPATCHER_GRANTS } from './dispatcher-grants.ts';
import type { FunctionGrants, KeyKind, Target } from './grants.ts';
import { API_KEYS } from './key-kinds.ts';
import { LOOKUP_GRANTS } from './lookup-grants.ts';
import { WEBHOOK_GRANTS } from './webhook-grants.ts';

export const FUNCTION_GRANTS = {
  webhook: WEBHOOK_GRANTS,
  lookup: LOOKUP_GRANTS,
  dispatcher: DISPATCHER_GRANTS,
} as const satisfies Record<string, FunctionGrants>;

/**
 * Partition key kinds of keys.ts that no function reaches, and why. A key kind added to
 * keys.ts must be granted to the function that uses it or listed here (the grants test
 * derives the kinds from keys.ts).
 */
export const UNGRANTED: readonly { target: Target; kind: KeyKind; why: string }[] = [
  {
    target: 'gsi1',
    kind: API_KEYS,
    why: 'API keys are listed by the operator (`npm run apikey -- list`), with their credentials',
  },
];
