import { z } from 'zod';

/**
 * A 6-digit RFC 6238 code (spaces allowed, as apps show them in groups): at
 * sign-in and, for an enrolled approver, with the password re-entered at a
 * four-eyes approval (step-up). Too short to hold a card number.
 */
export const totpCode = z.string().trim().max(12).regex(/^[0-9 ]+$/, 'digits only');
