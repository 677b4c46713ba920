/**
 * Serialises a value the way Python's `json.dumps` does with its defaults (`", "` and `": "` separators,
 * non-ASCII as `\uXXXX`). SendCloud builds webhook bodies this way, so the simulator and the test signer use
 * it to produce bodies byte-identical to the real ones.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${quote(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`;
  }
  throw new TypeError(`cannot serialise ${typeof value}`);
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError('NaN and Infinity are not JSON');
  return String(value);
}

function quote(text: string): string {
  // JSON.stringify escapes quotes, backslashes and control characters exactly as Python does; Python
  // additionally escapes every non-ASCII code unit (ensure_ascii=True).
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
