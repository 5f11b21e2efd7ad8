/**
 * What README and docs/lookup-api.md say of browsers and methods: no answer carries CORS
 * headers (the API is for servers), and HEAD and OPTIONS are 405 naming the methods served.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestLookup } from '../../helpers/lookup.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

const stack = useStack();
let api: TestLookup;
beforeAll(async () => {
  ({ lookup: api } = await stack.handlers());
});

const ORIGIN = { origin: 'https://app.example' };
const cors = (headers: Record<string, string>) =>
  Object.keys(headers).filter((name) => name.toLowerCase().startsWith('access-control-'));

describe('the lookup API is for servers', () => {
  it('sends no CORS header, to a preflight or to a request with an Origin', async () => {
    const preflight = await api.call({
      method: 'OPTIONS',
      path: '/v1/contacts/1001',
      headers: { ...ORIGIN, 'access-control-request-method': 'GET' },
    });
    const get = await api.call({ path: '/v1/contacts/1001', headers: ORIGIN });

    expect(preflight.status).toBe(405);
    expect(cors(preflight.headers)).toEqual([]);
    expect(get.status).toBe(404);
    expect(cors(get.headers)).toEqual([]);
  });

  it('answers HEAD with 405 and Allow naming GET', async () => {
    const head = await api.call({ method: 'HEAD', path: '/v1/contacts/1001' });

    expect(head.status).toBe(405);
    expect(head.headers.allow).toContain('GET');
  });
});
