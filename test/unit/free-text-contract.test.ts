import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { apiContract, METHOD_NAMES } from '@shared/api-contract';
import { isCardScreened, SHORTEST_CARD_NUMBER } from '@shared/api/free-text';
import { CARD_NUMBER_REFUSAL } from '@shared/card-numbers';

// Issue 12 point 5: every string argument of every method either passes the
// card-number screen or is named below with why it need not. A new method (or
// field) with an unscreened string fails here, so none can forget the screen.

/** Argument names that are not kept as typed text, with the reason. */
const NOT_KEPT: Readonly<Record<string, string>> = {
  password: 'a secret: checked against a hash or sent to the keychain, never stored as text',
  currentPassword: 'a secret: checked against the stored hash, never stored as text',
  newPassword: 'a secret: stored only as its scrypt hash',
  username: 'a connection user name: kept in the OS keychain with its password, not in SQLite',
  passphrase: 'a secret: derives the hand-off (or join-code) key, never stored',
  joinCode: 'an encrypted join code: opened with its passphrase, its contents go to the OS keychain, never stored as text',
  base64: 'the bytes of an uploaded hand-off file, decrypted and parsed, never stored as text',
  file: 'a path to read a hand-off file from, never stored',
  sessionId: 'must equal an open hand-off session id (looked up, never stored)',
  invoiceNo: 'must equal an invoice already in the local store (the ERP\'s own number)',
  customerId: 'must equal a customer already in the local store (the ERP\'s own id)',
  token: 'must equal a one-time export token this engine issued (looked up, never stored)',
  date: 'a calendar day (YYYY-MM-DD, checked by pattern) naming which day a report covers, never stored',
  decisionKey: 'must equal an open offline-replay conflict on this workstation (looked up, never stored as typed)',
};

type Leaf = Readonly<{ path: string; key: string; schema: z.ZodType }>;

type Def = Readonly<{
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  items?: readonly z.ZodType[];
}>;

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Every string schema reachable from `schema`, with the path and the name of the field that holds it. */
function stringLeaves(schema: z.ZodType, path: string, key: string, out: Leaf[] = []): Leaf[] {
  const def = defOf(schema);
  const walk = (child: z.ZodType | undefined, childPath: string, childKey: string) => child && stringLeaves(child, childPath, childKey, out);
  switch (def.type) {
    case 'string':
      out.push({ path, key, schema });
      break;
    case 'object':
      for (const [name, child] of Object.entries(def.shape ?? {})) walk(child, `${path}.${name}`, name);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      walk(def.innerType, path, key);
      break;
    case 'array':
      walk(def.element, `${path}[]`, key);
      break;
    case 'union':
      for (const option of def.options ?? []) walk(option, path, key);
      break;
    case 'record':
      walk(def.keyType, `${path}{key}`, `${key}{key}`);
      walk(def.valueType, `${path}{}`, key);
      break;
    case 'pipe':
      walk(def.in, path, key);
      walk(def.out, path, key);
      break;
    case 'intersection':
      walk(def.left, path, key);
      walk(def.right, path, key);
      break;
    case 'tuple':
      (def.items ?? []).forEach((item, i) => walk(item, `${path}[${i}]`, key));
      break;
    case 'enum':
    case 'literal':
    case 'number':
    case 'int':
    case 'boolean':
    case 'null':
    case 'undefined':
    case 'never':
    case 'unknown':
      break;
    default:
      throw new Error(`${path}: schema type ${def.type} is not walked; teach this test about it`);
  }
  return out;
}

const tooShortForACard = (schema: z.ZodType): boolean => {
  const max = (schema as z.ZodString).maxLength;
  return max !== null && max !== undefined && max < SHORTEST_CARD_NUMBER;
};

describe('free text in the API contract (issue 12, no card numbers at rest)', () => {
  const leaves = METHOD_NAMES.flatMap((m) => stringLeaves(apiContract[m].args, m, ''));

  it('every string argument is screened for card numbers, too short to hold one, or named as not kept', () => {
    const unscreened = leaves.filter((l) => !isCardScreened(l.schema) && !tooShortForACard(l.schema) && !(l.key in NOT_KEPT)).map((l) => l.path);
    expect(unscreened).toEqual([]);
    // The walk found the free text it exists for (a walk that finds nothing proves nothing).
    expect(leaves.filter((l) => isCardScreened(l.schema)).map((l) => l.path)).toEqual(expect.arrayContaining(['refunds:request.note', 'refunds:reject.reason', 'matches:note.note', 'controls:reverse.reason']));
  });

  it('a method argument holding a card number is refused with the card-number message', () => {
    const parsed = apiContract['refunds:request'].args.safeParse({ transactionId: 1, amountCents: 100, reasonCode: 'damaged', note: 'card 4111 1111 1111 1111 per phone' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(CARD_NUMBER_REFUSAL);
    expect(parsed.error?.issues[0]?.path).toEqual(['note']);
    // The last four digits, and dates and short numbers stay allowed.
    expect(apiContract['refunds:request'].args.safeParse({ transactionId: 1, amountCents: 100, reasonCode: 'damaged', note: 'card ending 1111, order 2024-11-30' }).success).toBe(true);
  });
});
