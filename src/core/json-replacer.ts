/** JSON conventions of every file and message the project writes (DESIGN.md): bigint as a decimal string, non-finite as null. */

/** JSON.stringify replacer: bigints (nanosecond timestamps) as decimal strings, NaN and infinities as null. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}
