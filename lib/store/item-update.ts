/**
 * Collects SET / ADD / REMOVE clauses for one item and compiles them into a single
 * UpdateItem, so an update touching the same item twice still costs one write.
 */
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Key } from './keys.ts';

export class ItemUpdate {
  readonly key: Key;
  private readonly sets = new Map<string, { value: unknown; onlyIfMissing: boolean }>();
  private readonly adds = new Map<string, number>();
  private readonly setAdds = new Map<string, Set<string>>();
  private readonly removes = new Set<string>();
  /** Counters are applied at most once per update id (see update-recorder.ts). */
  guarded = false;
  /** A profile without counters: a warm instance may skip writing it again unchanged. */
  cacheable = false;

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

  /** ADD name by; marks the item as guarded, since counters are not idempotent. */
  add(name: string, by = 1): this {
    this.adds.set(name, (this.adds.get(name) ?? 0) + by);
    this.guarded = true;
    return this;
  }

  /** ADD values to the string set `name`: idempotent, so it needs no guard. */
  addToSet(name: string, values: readonly string[]): this {
    if (values.length === 0) return this;
    const set = this.setAdds.get(name) ?? new Set<string>();
    for (const value of values) set.add(value);
    this.setAdds.set(name, set);
    return this;
  }

  remove(name: string): this {
    if (!this.sets.has(name)) this.removes.add(name);
    return this;
  }

  /** What the write would change, ignoring if_not_exists stamps: equal signatures, same effect. */
  signature(): string {
    const sets = [...this.sets].filter(([, s]) => !s.onlyIfMissing).map(([k, s]) => [k, s.value]);
    const setAdds = [...this.setAdds].map(([k, set]) => [k, [...set].sort()]);
    return JSON.stringify([sets, [...this.adds], [...this.removes], setAdds]);
  }

  get isEmpty(): boolean {
    return (
      this.sets.size === 0 &&
      this.adds.size === 0 &&
      this.setAdds.size === 0 &&
      this.removes.size === 0
    );
  }

  /**
   * Compiles to UpdateItem input. With `guardUpdateId`, the write also adds the update id
   * to the item's guard set `g` and is conditional on the id not being there yet.
   */
  toInput(tableName: string, guardUpdateId?: number): UpdateCommandInput {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const setParts: string[] = [];
    const addParts: string[] = [];
    let i = 0;
    const name = (attr: string) => {
      const token = `#a${i++}`;
      names[token] = attr;
      return token;
    };
    for (const [attr, { value, onlyIfMissing }] of this.sets) {
      const n = name(attr);
      const v = `:v${i}`;
      values[v] = value;
      setParts.push(onlyIfMissing ? `${n} = if_not_exists(${n}, ${v})` : `${n} = ${v}`);
    }
    for (const [attr, by] of this.adds) {
      const n = name(attr);
      const v = `:v${i}`;
      values[v] = by;
      addParts.push(`${n} ${v}`);
    }
    for (const [attr, set] of this.setAdds) {
      const n = name(attr);
      const v = `:v${i}`;
      values[v] = new Set(set);
      addParts.push(`${n} ${v}`);
    }
    const removeParts = [...this.removes].map((attr) => name(attr));
    let condition: string | undefined;
    if (guardUpdateId !== undefined) {
      names['#g'] = 'g';
      values[':gid'] = guardUpdateId;
      values[':gset'] = new Set([guardUpdateId]);
      addParts.push('#g :gset');
      condition = 'attribute_not_exists(#g) OR NOT contains(#g, :gid)';
    }
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
      ...(condition ? { ConditionExpression: condition } : {}),
    };
  }
}
