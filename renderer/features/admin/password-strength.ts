// A hint, not a rule: the engine only insists on MIN_PASSWORD_LENGTH (12, PCI DSS v4 8.3.6; shared/api/auth.ts).
// Length counts most; mixing kinds of characters helps a little.

export type Strength = Readonly<{ level: 'too-short' | 'weak' | 'fair' | 'strong'; hint: string }>;

import { MIN_PASSWORD_LENGTH } from '@shared/api/auth';

export { MIN_PASSWORD_LENGTH };

export function passwordStrength(password: string): Strength {
  if (password.length < MIN_PASSWORD_LENGTH) return { level: 'too-short', hint: `At least ${MIN_PASSWORD_LENGTH} characters (${password.length} so far)` };
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  const repeated = new Set(password).size < password.length / 3;
  if (repeated || (password.length < 14 && kinds < 3)) return { level: 'weak', hint: 'Weak: make it longer or mix letters, digits and symbols' };
  if (password.length < 16 && kinds < 4) return { level: 'fair', hint: 'Fair: a longer passphrase is stronger' };
  return { level: 'strong', hint: 'Strong' };
}
