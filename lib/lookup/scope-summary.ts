/**
 * What each API key scope reaches, rendered from the route table (routes.ts) for
 * `npm run apikey -- --help`, so the help cannot drift from what the router enforces: every
 * route under the lowest scope that may call it, and what a higher scope or the phones
 * permission adds inside a route.
 */
import { API_SCOPES, type ApiScope } from '../access/api-keys.ts';
import { ADMIN_BROADCAST_RECIPIENTS } from './broadcasts/broadcast-schemas.ts';
import type { Route } from './route.ts';

/** What a scope, or the phones permission, adds inside a route (named by operationId). */
export interface InRouteGrant {
  operationId: string;
  needs: ApiScope | 'phones';
  what: string;
}

export const IN_ROUTE_GRANTS: readonly InRouteGrant[] = [
  {
    operationId: 'getMembership',
    needs: 'admin',
    what: "?live=true also stores Telegram's answer (other keys only read it)",
  },
  {
    operationId: 'createBroadcast',
    needs: 'admin',
    what: `more than ${ADMIN_BROADCAST_RECIPIENTS.toLocaleString('en-US')} recipients`,
  },
  {
    operationId: 'createSubscription',
    needs: 'admin',
    what: 'includePhone (events with verified phone numbers)',
  },
  {
    operationId: 'exportChatMembers',
    needs: 'admin',
    what: 'includePhone=true (the phoneNumber column; 403 for other keys)',
  },
];

const INDENT = ' '.repeat(10);

/** `items` joined by ", ", wrapped under `width` columns, continuation lines indented. */
function wrap(first: string, items: string[], width = 95): string[] {
  const lines: string[] = [];
  let line = first;
  for (const [i, item] of items.entries()) {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (line.trim().length > 0 && line.length + 1 + piece.length > width) {
      lines.push(line);
      line = INDENT + piece;
    } else {
      line = line.endsWith(' ') || line.length === 0 ? line + piece : `${line} ${piece}`;
    }
  }
  lines.push(line);
  return lines;
}

const routeName = (route: Route) => `${route.method} ${route.path}`;

/** The scopes section of the apikey usage, from `routes`. */
export function describeScopes(routes: readonly Route[]): string {
  const byId = new Map(routes.map((route) => [route.operationId, route]));
  const lines = ['scopes, each granting what the ones before it grant (from the route table):'];
  for (const [rank, scope] of API_SCOPES.entries()) {
    const own = routes.filter((route) => route.scope === scope).map(routeName);
    const label = `  ${scope.padEnd(INDENT.length - 2)}${rank > 0 ? 'also ' : ''}`;
    lines.push(...wrap(label, own));
    for (const grant of IN_ROUTE_GRANTS.filter((g) => g.needs === scope)) {
      const route = byId.get(grant.operationId);
      lines.push(`${INDENT}and in ${route ? routeName(route) : grant.operationId}: ${grant.what}`);
    }
  }
  const phones = IN_ROUTE_GRANTS.filter((g) => g.needs === 'phones').map((grant) => {
    const route = byId.get(grant.operationId);
    return `${INDENT}in ${route ? routeName(route) : grant.operationId}: ${grant.what}`;
  });
  const open = routes.filter((route) => route.scope === 'public').map(routeName);
  lines.push(...wrap(`  ${'public'.padEnd(INDENT.length - 2)}no key: `, open));
  if (phones.length > 0) lines.push('  phones (with any scope, see below):', ...phones);
  return lines.join('\n');
}
