// The matching configuration lives in shared/matching-config.ts, so the
// settings (shared/settings.ts) and the renderer's "Matching rules" tab use the
// same schema and defaults as the engine. Re-exported here for the engine's code.
export * from '@shared/matching-config';
