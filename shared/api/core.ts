import { z } from 'zod';
import type { AppInfo, ApproveResult, ConnectionTestResult, PostingSummary, SyncStatus } from '../api-contract';
import type { GridRow, StatusCounts, TransactionDetail } from '../domain';
import { CONNECTION_IDS, settingsPatchSchema, type SettingsView } from '../settings';
import { empty, method, txnId } from './define';

// The reconciliation slice: grid, approval, sync, settings and credentials.

/** Roles: the reconciliation slice is clerk work; settings and credentials (configuration and secrets) are the admin's; app:info is open before sign-in. */
export const coreMethods = {
  'app:info': method<typeof empty, AppInfo>({ role: 'public', args: empty }),
  'grid:rows': method<typeof empty, GridRow[]>({ role: 'clerk', args: empty }),
  'grid:counts': method<typeof empty, StatusCounts>({ role: 'clerk', args: empty }),
  'grid:detail': method<z.ZodObject<{ transactionId: typeof txnId }>, TransactionDetail>({ role: 'clerk', args: z.object({ transactionId: txnId }).strict() }),
  'matches:approve': method<z.ZodObject<{ transactionIds: z.ZodArray<typeof txnId> }>, ApproveResult>(
    { role: 'clerk', args: z.object({ transactionIds: z.array(txnId).min(1).max(100_000) }).strict() },
  ),
  'sync:now': method<typeof empty, SyncStatus>({ role: 'clerk', args: empty }),
  'sync:status': method<typeof empty, SyncStatus>({ role: 'clerk', args: empty }),
  'posting:status': method<typeof empty, PostingSummary>({ role: 'clerk', args: empty }),
  'settings:get': method<typeof empty, SettingsView>({ role: 'clerk', args: empty }),
  'settings:save': method<typeof settingsPatchSchema, SettingsView>({ role: 'admin', args: settingsPatchSchema }),
  'credentials:set': method<z.ZodType<{ connection: (typeof CONNECTION_IDS)[number]; username: string; password: string }>, SettingsView>(
    { role: 'admin', args: z.object({ connection: z.enum(CONNECTION_IDS), username: z.string().min(1).max(256), password: z.string().min(1).max(4096) }).strict() },
  ),
  'credentials:clear': method<z.ZodType<{ connection: (typeof CONNECTION_IDS)[number] }>, SettingsView>(
    { role: 'admin', args: z.object({ connection: z.enum(CONNECTION_IDS) }).strict() },
  ),
  'connection:test': method<z.ZodType<{ connection: (typeof CONNECTION_IDS)[number] }>, ConnectionTestResult>(
    { role: 'clerk', args: z.object({ connection: z.enum(CONNECTION_IDS) }).strict() },
  ),
} as const;

