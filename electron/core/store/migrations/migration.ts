import type Database from 'better-sqlite3';

/**
 * One schema step. `version` is what PRAGMA user_version holds once it has
 * run; files are named NNNN-name.ts after it. Never edit a shipped migration:
 * add the next one.
 */
export type Migration = Readonly<{ version: number; name: string; up(db: Database.Database): void }>;
