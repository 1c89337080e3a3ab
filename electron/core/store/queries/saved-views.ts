import { gridViewSchema, type GridView } from '@shared/grid-view';
import { columnLayoutSchema, type ColumnLayout, type SavedView } from '@shared/api/views';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn, StoredDataError } from '../json-column';

// Saved views of the work queue (table saved_views, migration 20). A stored
// view is read back through the GridView schema: one written by another
// version or edited by hand is listed with the problem named, never applied
// half-understood and never a crash of the whole list.

type Row = {
  id: number;
  owner: string;
  name: string;
  view_json: string;
  columns_json: string;
  shared: number;
  is_default: number;
  created_at: string;
  updated_at: string;
};

function toSavedView(r: Row): SavedView {
  let view: GridView | null = null;
  let problem: string | null = null;
  try {
    view = parseJsonColumn(gridViewSchema, r.view_json, `Saved view "${r.name}" (saved_views.view_json)`) as GridView;
  } catch (e) {
    if (!(e instanceof StoredDataError)) throw e;
    problem = e.message;
  }
  let columns: ColumnLayout = {};
  try {
    columns = parseJsonColumn(columnLayoutSchema, r.columns_json, `Saved view "${r.name}" (saved_views.columns_json)`) as ColumnLayout;
  } catch (e) {
    if (!(e instanceof StoredDataError)) throw e;
    // The column layout is cosmetic: the view still applies with the grid's own layout.
    problem ??= e.message;
  }
  return {
    id: r.id,
    owner: r.owner,
    name: r.name,
    view,
    columns,
    shared: r.shared === 1,
    isDefault: r.is_default === 1,
    problem,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The owner's views, then (with `includeShared`) the ones others shared, each by name. */
export function listSavedViews(db: ReadDb, owner: string, includeShared: boolean): SavedView[] {
  const rows = db
    .prepare(
      `SELECT * FROM saved_views WHERE owner = ? ${includeShared ? 'OR shared = 1' : ''}
        ORDER BY CASE WHEN owner = ? THEN 0 ELSE 1 END, name, id`,
    )
    .all(owner, owner) as Row[];
  return rows.map(toSavedView);
}

export function savedView(db: ReadDb, id: number): SavedView | null {
  const r = db.prepare('SELECT * FROM saved_views WHERE id = ?').get(id) as Row | undefined;
  return r ? toSavedView(r) : null;
}

function savedViewByName(db: ReadDb, owner: string, name: string): Row | undefined {
  return db.prepare('SELECT * FROM saved_views WHERE owner = ? AND name = ?').get(owner, name) as Row | undefined;
}

export type SaveView = Readonly<{ owner: string; name: string; view: GridView; columns: ColumnLayout; shared: boolean; at: string }>;

/** Replaces the owner's view of that name (keeping its id, default flag and creation time) or adds one; returns its id. */
export function upsertSavedView(db: WriteDb, v: SaveView): number {
  const existing = savedViewByName(db, v.owner, v.name);
  if (existing) {
    db.prepare('UPDATE saved_views SET view_json = ?, columns_json = ?, shared = ?, updated_at = ? WHERE id = ?').run(
      JSON.stringify(v.view),
      JSON.stringify(v.columns),
      v.shared ? 1 : 0,
      v.at,
      existing.id,
    );
    return existing.id;
  }
  const result = db
    .prepare('INSERT INTO saved_views (owner, name, view_json, columns_json, shared, is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)')
    .run(v.owner, v.name, JSON.stringify(v.view), JSON.stringify(v.columns), v.shared ? 1 : 0, v.at, v.at);
  return Number(result.lastInsertRowid);
}

/** True when another of the owner's views already has the name. */
export function nameTaken(db: ReadDb, owner: string, name: string, exceptId: number): boolean {
  const r = savedViewByName(db, owner, name);
  return r !== undefined && r.id !== exceptId;
}

export function renameSavedView(db: WriteDb, id: number, name: string, at: string): void {
  db.prepare('UPDATE saved_views SET name = ?, updated_at = ? WHERE id = ?').run(name, at, id);
}

export function deleteSavedView(db: WriteDb, id: number): void {
  db.prepare('DELETE FROM saved_views WHERE id = ?').run(id);
}

/** Makes `id` the owner's one default view (null: none). */
export function setDefaultSavedView(db: WriteDb, owner: string, id: number | null): void {
  db.prepare('UPDATE saved_views SET is_default = 0 WHERE owner = ? AND is_default = 1').run(owner);
  if (id !== null) db.prepare('UPDATE saved_views SET is_default = 1 WHERE id = ? AND owner = ?').run(id, owner);
}
