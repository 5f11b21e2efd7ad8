/**
 * `npm run docs`: rewrites what the docs take from the code: the lookup routes table of
 * docs/lookup-api.md, from the OpenAPI document, and docs/personal-data.md, from the data map.
 * `--check` only says whether they are current (npm test checks the same).
 */
import { fileURLToPath } from 'node:url';
import { parseCliOrExit } from './cli.ts';

const USAGE = `usage: npm run docs [-- --check]

  Rewrites the lookup routes table in docs/lookup-api.md from the OpenAPI document the API
  serves (lib/lookup/openapi.ts), and docs/personal-data.md from the data map
  (lib/privacy/data-map.ts), so the pages cannot drift from them.

options:
  --check   change nothing; exit 1 when a page is out of date
  --help    show this text`;

const { check } = parseCliOrExit(
  { name: 'docs', usage: USAGE, options: { check: { type: 'boolean', default: false } } },
  ({ values }) => ({ check: values.check === true }),
);

const { buildOpenApiDocument } = await import('../lib/lookup/openapi.ts');
const { LOOKUP_ROUTES } = await import('../lib/lookup/routes.ts');
const { renderRoutesTable, routesSection, writeRoutesTable } = await import(
  './docs/routes-table.ts'
);
const { renderPersonalDataPage } = await import('./docs/personal-data.ts');
const { existsSync, readFileSync, writeFileSync } = await import('node:fs');

const page = fileURLToPath(new URL('../docs/lookup-api.md', import.meta.url));
const dataPage = fileURLToPath(new URL('../docs/personal-data.md', import.meta.url));
const document = buildOpenApiDocument(LOOKUP_ROUTES);
const dataMap = renderPersonalDataPage();
const dataCurrent = existsSync(dataPage) && readFileSync(dataPage, 'utf8') === dataMap;
if (check) {
  const current = routesSection(readFileSync(page, 'utf8')) === renderRoutesTable(document);
  console.log(
    current
      ? 'docs/lookup-api.md is current'
      : 'docs/lookup-api.md is out of date: run npm run docs',
  );
  console.log(
    dataCurrent
      ? 'docs/personal-data.md is current'
      : 'docs/personal-data.md is out of date: run npm run docs',
  );
  process.exitCode = current && dataCurrent ? 0 : 1;
} else {
  const changed = writeRoutesTable(page, document);
  console.log(
    changed ? 'rewrote the routes table in docs/lookup-api.md' : 'docs/lookup-api.md was current',
  );
  if (!dataCurrent) writeFileSync(dataPage, dataMap);
  console.log(dataCurrent ? 'docs/personal-data.md was current' : 'rewrote docs/personal-data.md');
}
