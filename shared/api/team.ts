import { z } from 'zod';
import { empty, method, txnId } from './define';

// Team mode (several workstations on one workspace): who has which payment
// open. A claim is a soft lock: nothing is refused by it, but the UI asks
// before acting on a payment someone else is working on.

export type PresenceView = Readonly<{ transactionId: number; userName: string; workstation: string; since: string; expiresAt: string }>;

export type PresenceList = Readonly<{
  /** Live claims of everyone else (this user at this workstation left out). */
  others: readonly PresenceView[];
  /** How often the UI renews an open claim (it expires after twice that, a little more). */
  heartbeatSeconds: number;
}>;

export const teamMethods = {
  /** Who else has which payment open. */
  'team:presence': method<typeof empty, PresenceList>({ role: 'clerk', args: empty }),
  /** The detail panel opened (or still shows) this payment: claims it for the caller and says who else is on it. */
  'team:claim': method<z.ZodObject<{ transactionId: typeof txnId }>, PresenceList>({ role: 'clerk', args: z.object({ transactionId: txnId }).strict() }),
  /** The detail panel closed this payment. */
  'team:release': method<z.ZodObject<{ transactionId: typeof txnId }>, { ok: true }>({ role: 'clerk', args: z.object({ transactionId: txnId }).strict() }),
} as const;
