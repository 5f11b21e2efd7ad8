/**
 * A small JSON Schema (2020-12) validator for checking real responses against the OpenAPI
 * document: the keywords zod's generator emits, `$ref` into the document, and a failure on
 * any keyword it does not know (so nothing is silently skipped).
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['description', 'title', 'default', 'examples', '$schema', '$id']);
const KNOWN = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'enum',
  'const',
  '$ref',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'anyOf',
  'oneOf',
  'allOf',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function resolve(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = (node as Schema)[part];
  if (typeof node !== 'object' || node === null) throw new Error(`dangling $ref ${ref}`);
  return node as Schema;
}

/** Returns the problems found (empty: valid). `root` is the document `$ref`s point into. */
export function validateJson(value: unknown, schema: Schema, root: Schema, path = '$'): string[] {
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${path}: ${message}`);
  for (const keyword of Object.keys(schema)) {
    if (!KNOWN.has(keyword) && !ANNOTATIONS.has(keyword)) {
      throw new Error(`validator does not know the keyword ${keyword} (at ${path})`);
    }
  }
  if (typeof schema.$ref === 'string') {
    errors.push(...validateJson(value, resolve(root, schema.$ref), root, path));
  }
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!ok) return [...errors, `${path}: expected ${types.join('|')}, got ${actual}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) fail(`not one of ${schema.enum}`);
  if ('const' in schema && schema.const !== value) fail(`not ${String(schema.const)}`);
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      fail(`does not match ${schema.pattern}`);
    }
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) fail('not a date-time');
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) fail('too short');
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) fail('too long');
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail('below minimum');
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail('above maximum');
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
      fail('not above exclusiveMinimum');
    }
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) {
      fail('not below exclusiveMaximum');
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      fail('too few items');
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      fail('too many items');
    if (typeof schema.items === 'object' && schema.items !== null) {
      value.forEach((item, i) => {
        errors.push(...validateJson(item, schema.items as Schema, root, `${path}[${i}]`));
      });
    }
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[]) {
      if (!(name in object)) fail(`missing required ${name}`);
    }
    for (const [name, item] of Object.entries(object)) {
      const child = `${path}.${name}`;
      if (typeof schema.propertyNames === 'object' && schema.propertyNames !== null) {
        errors.push(...validateJson(name, schema.propertyNames as Schema, root, `${child}(name)`));
      }
      const property = properties[name];
      if (property) errors.push(...validateJson(item, property, root, child));
      else if (schema.additionalProperties === false) fail(`unexpected property ${name}`);
      else if (typeof schema.additionalProperties === 'object' && schema.additionalProperties) {
        errors.push(...validateJson(item, schema.additionalProperties as Schema, root, child));
      }
    }
  }
  for (const [keyword, count] of [
    ['allOf', (n: number, len: number) => n === len],
    ['anyOf', (n: number) => n > 0],
    ['oneOf', (n: number) => n === 1],
  ] as const) {
    const branches = schema[keyword];
    if (!Array.isArray(branches)) continue;
    const passing = branches.filter(
      (branch) => validateJson(value, branch as Schema, root, path).length === 0,
    ).length;
    if (!count(passing, branches.length))
      fail(`${keyword}: ${passing} of ${branches.length} match`);
  }
  return errors;
}
