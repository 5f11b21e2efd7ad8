/** docs/lookup-api.md lists exactly the routes of the OpenAPI document, as `npm run docs` renders them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../lib/lookup/openapi.ts';
import { LOOKUP_ROUTES } from '../../../lib/lookup/routes.ts';
import { renderRoutesTable, routesSection } from '../../../scripts/docs/routes-table.ts';
import { ROOT } from '../../helpers/local-process.ts';

const page = readFileSync(join(ROOT, 'docs/lookup-api.md'), 'utf8');
const document = buildOpenApiDocument(LOOKUP_ROUTES);

describe('docs/lookup-api.md', () => {
  it('holds the routes table of the OpenAPI document (run npm run docs when this fails)', () => {
    expect(routesSection(page)).toBe(renderRoutesTable(document));
  });

  it('has a row for every route the handler serves, with its scope and answers', () => {
    const table = routesSection(page) ?? '';
    for (const route of LOOKUP_ROUTES) {
      const row = table
        .split('\n')
        .find((line) => line.startsWith(`| \`${route.method} ${route.path}\` |`));
      expect(row, `${route.method} ${route.path}`).toBeDefined();
      expect(row).toContain(`| ${route.scope === 'public' ? 'none' : route.scope} |`);
      expect(row).toContain(String(route.status));
    }
    expect(table.split('\n').filter((line) => line.startsWith('| `'))).toHaveLength(
      LOOKUP_ROUTES.length,
    );
  });
});
