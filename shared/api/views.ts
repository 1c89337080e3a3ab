import { z } from 'zod';
import { gridViewSchema, type GridView } from '../grid-view';
import { freeText } from './free-text';
import { empty, method } from './define';

// Saved views of the work queue (issue 15): each user's named views, one of
// them the default the queue opens with. `shared` is for team mode (a view
// offered to the whole team); on a single-user store it is stored, unused.

/** The grid's column layout a view keeps: AG Grid column ids in order, widths in px, the hidden ones. */
export type ColumnLayout = Readonly<{ order?: readonly string[]; widths?: Readonly<Record<string, number>>; hidden?: readonly string[] }>;

/** AG Grid column ids (`payer`, `amount`…): screened like typed text, since the renderer sends them. */
const columnId = freeText({ min: 1, max: 64 });
export const columnLayoutSchema = z
  .object({
    order: z.array(columnId).max(100).optional(),
    widths: z.record(columnId, z.number().int().min(20).max(4000)).optional(),
    hidden: z.array(columnId).max(100).optional(),
  })
  .strict();

export type SavedView = Readonly<{
  id: number;
  owner: string;
  name: string;
  /** Null when the stored view no longer reads as a GridView (`problem` says why): shown, not applied. */
  view: GridView | null;
  columns: ColumnLayout;
  shared: boolean;
  isDefault: boolean;
  /** Why the stored view cannot be applied (e.g. written by another version). */
  problem: string | null;
  createdAt: string;
  updatedAt: string;
}>;

const viewName = freeText({ min: 1, max: 80 });
const viewId = z.number().int().positive();

const saveArgs = z
  .object({
    name: viewName,
    view: gridViewSchema,
    columns: columnLayoutSchema.optional(),
    shared: z.boolean().optional(),
    isDefault: z.boolean().optional(),
  })
  .strict();
const renameArgs = z.object({ id: viewId, name: viewName }).strict();
const idArgs = z.object({ id: viewId }).strict();
const defaultArgs = z.object({ id: viewId.nullable() }).strict();

/** Roles: any clerk keeps their own views; only the owner renames, changes or deletes a view. */
export const viewMethods = {
  /** The caller's views and, in team mode, the views others shared. */
  'views:list': method<typeof empty, SavedView[]>({ role: 'clerk', args: empty }),
  /** Saves under `name`: replaces the caller's view of that name, or adds one. */
  'views:save': method<z.ZodType<{ name: string; view: GridView; columns?: ColumnLayout; shared?: boolean; isDefault?: boolean }>, SavedView>({ role: 'clerk', args: saveArgs }),
  'views:rename': method<typeof renameArgs, SavedView>({ role: 'clerk', args: renameArgs }),
  'views:delete': method<typeof idArgs, { ok: true }>({ role: 'clerk', args: idArgs }),
  /** The view the caller's queue opens with (null: none). */
  'views:setDefault': method<typeof defaultArgs, { ok: true }>({ role: 'clerk', args: defaultArgs }),
} as const;
