import { describe, expect, it } from 'vitest';
import { API_SCOPES } from '../../../lib/access/api-keys.ts';
import { LOOKUP_ROUTES } from '../../../lib/lookup/routes.ts';
import { describeScopes, IN_ROUTE_GRANTS } from '../../../lib/lookup/scope-summary.ts';
import { USAGE } from '../../../scripts/apikey-cli.ts';

/** The scope section a route is listed under in the text (its line group). */
function sectionOf(text: string, routeName: string): string | undefined {
  let section: string | undefined;
  for (const line of text.split('\n')) {
    const label = /^ {2}(read|write|admin|public)\b/.exec(line)?.[1];
    if (label) section = label;
    else if (/^ {2}\S/.test(line)) section = undefined;
    const names = line.replace(/^.*?(?=(GET|POST|PATCH|DELETE) )/, '').split(/,\s*/);
    if (!line.includes('and in ') && names.map((n) => n.trim()).includes(routeName)) {
      return section;
    }
  }
  return undefined;
}

describe('apikey --help: the scopes', () => {
  const text = describeScopes(LOOKUP_ROUTES);

  it('lists every route under the scope the router requires for it', () => {
    for (const route of LOOKUP_ROUTES) {
      const name = `${route.method} ${route.path}`;
      expect({ name, section: sectionOf(text, name) }).toEqual({ name, section: route.scope });
    }
    expect(USAGE).toContain(text);
  });

  it('names the subscriptions admin, messages and broadcasts write, and what admin adds inside routes', () => {
    expect(sectionOf(text, 'GET /v1/subscriptions')).toBe('admin');
    expect(sectionOf(text, 'POST /v1/contacts/{userId}/messages')).toBe('write');
    expect(sectionOf(text, 'POST /v1/broadcasts')).toBe('write');
    expect(text).toMatch(/and in POST \/v1\/broadcasts: more than 1,000 recipients/);
    expect(text).toMatch(/and in GET \/v1\/contacts\/\{userId\}\/chats\/\{chatId\}: \?live=true/);
    expect(text).toMatch(/and in GET \/v1\/chats\/\{chatId\}\/members\/export: includePhone=true/);
  });

  it('adds inside a route only what a higher scope than the route needs (or phones)', () => {
    for (const grant of IN_ROUTE_GRANTS) {
      const route = LOOKUP_ROUTES.find((r) => r.operationId === grant.operationId);
      expect(route, grant.operationId).toBeDefined();
      if (grant.needs === 'phones') continue;
      const rank = (scope: string) => API_SCOPES.indexOf(scope as never);
      expect(rank(grant.needs)).toBeGreaterThanOrEqual(rank(route?.scope ?? 'read'));
    }
  });
});
