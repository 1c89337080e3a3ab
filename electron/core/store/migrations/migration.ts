import type Database from 'better-sqlite3';

/**
 * One schema step. `version` is what PRAGMA user_version holds once it has
 * run; files are named NNNN-name.ts after it. Never edit a shipped migration:
 * add the next one.
 *
 * `rebuildsTables`: the tables the step rebuilds (create new, copy, drop old,
 * rename), the only way SQLite changes a CHECK. As SQLite's "Making Other
 * Kinds Of Table Schema Changes" prescribes, foreign keys are then switched
 * off around the step's transaction (the pragma is a no-op inside one) and
 * PRAGMA foreign_key_check of those tables must come back empty before it
 * commits.
 */
export type Migration = Readonly<{ version: number; name: string; rebuildsTables?: readonly string[]; up(db: Database.Database): void }>;
