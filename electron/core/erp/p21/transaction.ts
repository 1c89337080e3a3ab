// Transaction API v2 bodies ("TransactionSet") and how to read their answers.
// P21 reports business failures in `Summary`/`Messages`, sometimes with HTTP
// 200, so the summary is checked on every reply [P3].

export type Edit = Readonly<{ Name: string; Value: string }>;

export type DataElement = Readonly<{
  Name: string;
  Type: 'Form' | 'List';
  Keys: readonly string[];
  Rows: ReadonlyArray<Readonly<{ Edits: readonly Edit[]; RelativeDateEdits: readonly unknown[] }>>;
}>;

export type TransactionSet = Readonly<{
  Name: string;
  UseCodeValues: boolean;
  Transactions: ReadonlyArray<Readonly<{ Status: 'New'; DataElements: readonly DataElement[] }>>;
}>;

/** Edits in the order given: field order matters because fields trigger defaults [P3]. */
export function formElement(name: string, edits: ReadonlyArray<readonly [string, string | null | undefined]>): DataElement {
  return { Name: name, Type: 'Form', Keys: [], Rows: [{ Edits: toEdits(edits), RelativeDateEdits: [] }] };
}

export function listElement(name: string, rows: ReadonlyArray<ReadonlyArray<readonly [string, string]>>): DataElement {
  return { Name: name, Type: 'List', Keys: [], Rows: rows.map((r) => ({ Edits: toEdits(r), RelativeDateEdits: [] })) };
}

function toEdits(edits: ReadonlyArray<readonly [string, string | null | undefined]>): Edit[] {
  return edits.filter((e): e is readonly [string, string] => typeof e[1] === 'string' && e[1] !== '').map(([Name, Value]) => ({ Name, Value }));
}

/** UseCodeValues false (the default [P3]) makes P21 read dropdown values as their display text; true as their codes. */
export function transactionSet(serviceName: string, elements: readonly DataElement[], useCodeValues = false): TransactionSet {
  return { Name: serviceName, UseCodeValues: useCodeValues, Transactions: [{ Status: 'New', DataElements: elements }] };
}

export type TransactionOutcome =
  | Readonly<{ kind: 'passed'; result: unknown; messages: readonly string[] }>
  | Readonly<{ kind: 'failed'; messages: readonly string[] }>
  /** A dirty pooled session on the server: nothing was done, retry after a pause. */
  | Readonly<{ kind: 'contaminated'; messages: readonly string[] }>
  | Readonly<{ kind: 'no_summary' }>;

const CONTAMINATION = [/unexpected response window/i, /object reference not set/i];

export function isContamination(messages: readonly string[]): boolean {
  return messages.some((m) => CONTAMINATION.some((re) => re.test(m)));
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The object holding `Summary`: the reply itself or an async status's nested result. */
export function findSummaryHolder(reply: unknown): Record<string, unknown> | null {
  const r = asRecord(reply);
  if (!r) return null;
  if (asRecord(r.Summary)) return r;
  for (const k of ['Response', 'Result', 'TransactionResult', 'Data']) {
    const nested = asRecord(r[k]);
    if (nested && asRecord(nested.Summary)) return nested;
  }
  return null;
}

export function hasSummary(reply: unknown): boolean {
  return findSummaryHolder(reply) !== null;
}

export function collectMessages(reply: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown, depth: number) => {
    const r = asRecord(v);
    if (!r || depth > 3) return;
    if (Array.isArray(r.Messages)) for (const m of r.Messages) if (typeof m === 'string' && m.trim()) out.push(m.trim());
    if (typeof r.Message === 'string' && r.Message.trim()) out.push(r.Message.trim());
    for (const k of ['Response', 'Result', 'TransactionResult', 'Data']) visit(r[k], depth + 1);
  };
  visit(reply, 0);
  return [...new Set(out)];
}

/** "Transaction 1:: Customer ID is required" → "Customer ID is required"; empty ones dropped. */
export function cleanMessages(messages: readonly string[]): string[] {
  return messages.map((m) => m.replace(/^Transaction \d+::\s*/i, '').trim()).filter((m) => m.length > 0);
}

/**
 * A Summary count: a whole number or its digits. Number() alone read true, [1]
 * or "" as counts, so a garbled summary could pass as a done write (fuzz finding).
 */
function count(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v === 'string' && /^\s*\d{1,15}\s*$/.test(v)) return Number(v);
  return null;
}

export function interpretTransactionReply(reply: unknown): TransactionOutcome {
  const holder = findSummaryHolder(reply);
  if (!holder) return { kind: 'no_summary' };
  const summary = holder.Summary as Record<string, unknown>;
  const messages = collectMessages(reply);
  const succeeded = count(summary.Succeeded);
  const failed = count(summary.Failed ?? 0);
  if (failed === 0 && succeeded !== null && succeeded > 0) return { kind: 'passed', result: holder.Results ?? null, messages };
  if (isContamination(messages)) return { kind: 'contaminated', messages };
  return { kind: 'failed', messages };
}

/** Looks for a field's value in the Results DataElements (e.g. the new receipt number). */
export function findResultValue(result: unknown, field: string): string | null {
  const stack: unknown[] = [result];
  while (stack.length > 0) {
    const v = stack.pop();
    // One push per element: spreading a list of a few hundred thousand into push() is a RangeError.
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
      continue;
    }
    const r = asRecord(v);
    if (!r) continue;
    if (r.Name === field && (typeof r.Value === 'string' || typeof r.Value === 'number') && String(r.Value) !== '') return String(r.Value);
    for (const item of Object.values(r)) stack.push(item);
  }
  return null;
}
