// The raw PayTrace export row, flattened for the detail panel's key/value table.

/** Card numbers must never be shown in full, whatever the export carried. */
export function maskPan(value: string): string {
  return value.replace(/\d{13,19}/g, (digits) => `••••${digits.slice(-4)}`);
}

export function flattenRaw(value: unknown, prefix = '', out: Array<[string, string]> = []): Array<[string, string]> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenRaw(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value)) {
    value.forEach((v: unknown, i) => flattenRaw(v, `${prefix}[${i}]`, out));
  } else {
    out.push([prefix || '(value)', maskPan(value === null || value === undefined ? '' : String(value))]);
  }
  return out;
}
