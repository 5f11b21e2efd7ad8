/**
 * The OpenAPI document under a standard linter: Redocly's `recommended` rules (what
 * `redocly lint` runs by default) report nothing, neither errors nor warnings.
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../lib/lookup/openapi.ts';
import { LOOKUP_ROUTES } from '../../../lib/lookup/routes.ts';

describe('the OpenAPI document', () => {
  it('passes redocly lint with the recommended rules, without a warning', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({
      source: JSON.stringify(buildOpenApiDocument(LOOKUP_ROUTES), null, 2),
      absoluteRef: 'openapi.json',
      config,
    });
    const found = problems.map(
      (p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`,
    );
    expect(found).toEqual([]);
  });

  it('says where it is served from and under which license', () => {
    const doc = buildOpenApiDocument(LOOKUP_ROUTES) as {
      servers: { url: string }[];
      info: { license: { name: string } };
    };
    expect(doc.servers.map((s) => s.url)).toEqual(['/']);
    expect(doc.info.license.name).not.toBe('');
  });
});
