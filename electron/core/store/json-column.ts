import type { z } from 'zod';

/**
 * A JSON column read back through its schema: a row written by an older
 * version, edited by hand or damaged fails here with the table and column in
 * the message, instead of travelling on as a wrongly typed object.
 */
export function parseJsonColumn<S extends z.ZodType>(schema: S, text: string, where: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new StoredDataError(`${where} holds text that is not JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoredDataError(`${where} does not have the expected shape (${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'})`);
  }
  return parsed.data;
}

/** Stored data that does not read back as written: a clear message, never a guess. */
export class StoredDataError extends Error {
  override readonly name = 'StoredDataError';
}
