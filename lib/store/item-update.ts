/**
 * Collects SET / ADD / REMOVE clauses and conditions for one item and compiles them into a
 * single UpdateItem, so an update touching the same item twice still costs one write.
 */
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Key } from './keys.ts';

export class ItemUpdate {
  readonly key: Key;
  private readonly sets = new Map<
    string,
    { value: unknown; onlyIfMissing: boolean; from?: string }
  >();
  private readonly adds = new Map<string, number>();
  private readonly removes = new Set<string>();
  private readonly conditions: { expr: string; values: Record<string, unknown> }[] = [];

  constructor(key: Key) {
    this.key = key;
  }

  /** SET name = value (last call wins). */
  set(name: string, value: unknown): this {
    if (value === undefined) return this;
    this.sets.set(name, { value, onlyIfMissing: false });
    this.removes.delete(name);
    return this;
  }

  /** SET name = if_not_exists(name, value), unless a plain set already holds it. */
  setIfMissing(name: string, value: unknown): this {
    if (value === undefined || this.sets.has(name)) return this;
    this.sets.set(name, { value, onlyIfMissing: true });
    return this;
  }

  /**
   * SET name = if_not_exists(source, fallback): `source` as it was before this write (every
   * operand of an UpdateItem reads the item before it), or `fallback` when it had none.
   * `source` may be a map path (`q:c1.h`).
   */
  copy(name: string, source: string, fallback: unknown): this {
    this.sets.set(name, { value: fallback, onlyIfMissing: true, from: source });
    this.removes.delete(name);
    return this;
  }

  /** ADD name by (counters). */
  add(name: string, by = 1): this {
    this.adds.set(name, (this.adds.get(name) ?? 0) + by);
    return this;
  }

  remove(name: string): this {
    if (!this.sets.has(name)) this.removes.add(name);
    return this;
  }

  /**
   * Adds a condition, ANDed with the others. In `expr`, `#{name}` stands for an attribute
   * name (a `.` inside it is a map path: `#{q:c1.i}` is the map `q:c1`, member `i`) and
   * `:name` for a value given in `values`.
   */
  when(expr: string, values: Record<string, unknown> = {}): this {
    this.conditions.push({ expr, values });
    return this;
  }

  get isEmpty(): boolean {
    return this.sets.size === 0 && this.adds.size === 0 && this.removes.size === 0;
  }

  /** Compiles to UpdateItem input (without ReturnValues). */
  toInput(tableName: string): UpdateCommandInput {
    const names: Record<string, string> = {};
    const tokens = new Map<string, string>();
    const name = (attr: string) => {
      let token = tokens.get(attr);
      if (!token) {
        token = `#a${tokens.size}`;
        tokens.set(attr, token);
        names[token] = attr;
      }
      return token;
    };
    const path = (attr: string) => attr.split('.').map(name).join('.');
    const values: Record<string, unknown> = {};
    let v = 0;
    const value = (x: unknown) => {
      const token = `:v${v++}`;
      values[token] = x;
      return token;
    };
    const setParts = [...this.sets].map(([attr, { value: x, onlyIfMissing, from }]) => {
      const n = name(attr);
      const source = from === undefined ? n : path(from);
      return onlyIfMissing ? `${n} = if_not_exists(${source}, ${value(x)})` : `${n} = ${value(x)}`;
    });
    const addParts = [...this.adds].map(([attr, by]) => `${name(attr)} ${value(by)}`);
    const removeParts = [...this.removes].map(name);
    const conditions = this.conditions.map(({ expr, values: given }) => {
      Object.assign(values, given);
      return `(${expr.replace(/#\{([^}]+)\}/g, (_, attr: string) => path(attr))})`;
    });
    const clauses = [
      setParts.length ? `SET ${setParts.join(', ')}` : '',
      addParts.length ? `ADD ${addParts.join(', ')}` : '',
      removeParts.length ? `REMOVE ${removeParts.join(', ')}` : '',
    ].filter(Boolean);
    return {
      TableName: tableName,
      Key: { ...this.key },
      UpdateExpression: clauses.join(' '),
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
    };
  }
}
