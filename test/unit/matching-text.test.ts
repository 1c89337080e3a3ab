import { describe, expect, it } from 'vitest';
import { normalizeReference } from '@shared/reference';
import { fastNormalizeReference } from '../../electron/core/matching/text';

// The engine's fast paths must give exactly what the shared normaliser gives.

describe('fastNormalizeReference', () => {
  const inputs = [
    '1004521', '0001004521', '0', '000', 'PO900123', 'A1004521', 'INV', 'IN', 'NO', 'NR', 'REF', 'NUMBER', 'INVOICE',
    'INVOICES', 'NO1', 'INV1004521', 'REF7', 'INV-1004521', 'inv 1004521', '#1004521', 'Invoice 1004521', '1004521   ',
    'po900123', 'PO-900123', 'PO 900123', 'ABC', 'X', '', '  ', 'Inv# 1004521', 'NO. 55', 'ref:12',
  ];
  it.each(inputs)('%j', (input) => {
    expect(fastNormalizeReference(input)).toBe(normalizeReference(input));
  });
});
