import { ErpError, isErpError } from '../errors';
import type { HttpReply } from '../http-transport';
import { editErrorKind, parseEditReply, type EditorIds, type EditReply, type EditStage } from './edit-reply';

// The abas working-set editor (abas ERP REST OpenAPI v1.2.0): commands/NEW
// opens an editor at workspace/{workingSet}/wip/{workingSetEditor}; actions
// are POSTed to it; Commit; CLOSE the working set; CANCEL the editor on any
// error before the commit. abas answers every edit call with HTTP 200 and the
// verdict in the body (edit-reply.ts), so every reply is read: an error
// stops the flow, a dialog is answered only from the dialogAnswers setting.

export type Action = Readonly<Record<string, unknown>>;

export type EditorDeps = Readonly<{
  /** The connector's authenticated call (relative paths are under /mw/r/{tenant}/). */
  call(method: string, path: string, c: Readonly<{ what: string; isWrite?: boolean; body?: unknown }>): Promise<Readonly<{ reply: HttpReply; body: unknown }>>;
  /** Dialog id → the answer known safe at this site. */
  dialogAnswers: ReadonlyMap<string, string>;
}>;

/** Errors that are abas's own verdict in an edit reply body: abas applied nothing, whatever the HTTP status said. */
const verdicts = new WeakSet<ErpError>();

/** How many dialogs in a row Tieout answers for one action list before it gives up. */
const MAX_DIALOG_ROUNDS = 5;

/** workspace/{workingSet}/wip/{workingSetEditor}, the editor's address in the OpenAPI. */
function editorPath(ids: EditorIds): string {
  return `workspace/${encodeURIComponent(ids.workingSetId)}/wip/${encodeURIComponent(ids.workingSetEditorId)}`;
}

/**
 * The editor commands/NEW opened: the x-abas-mw-workingset /
 * x-abas-mw-workingseteditor headers (what production clients read), else
 * the editor meta in the body (workingSetId / workingSetEditorId), else a
 * Location naming the editor.
 */
function editorOf(reply: HttpReply, edit: EditReply | null): string | null {
  const ws = reply.headers['x-abas-mw-workingset'];
  const wse = reply.headers['x-abas-mw-workingseteditor'];
  if (ws && wse) return editorPath({ workingSetId: ws, workingSetEditorId: wse });
  if (edit?.kind === 'success' && edit.editor) return editorPath(edit.editor);
  return reply.headers.location ?? null;
}

/** The working set an editor path belongs to (for CLOSE), when the path has the documented form. */
function workingSetOf(editor: string): string | null {
  const m = /workspace\/([^/]+)\/wip\/[^/]+$/.exec(editor);
  return m ? `workspace/${m[1]}` : null;
}

/** NEW → field actions → Commit → CLOSE. Returns once abas said the Commit succeeded; throws otherwise. */
export async function runEditorFlow(d: EditorDeps, dbGroup: string, actions: readonly Action[], what: string): Promise<void> {
  // NEW and the field actions commit nothing, so a lost reply there is transient.
  const created = await d.call('POST', `obj/data/${dbGroup}/commands/NEW`, { what: `${what} (NEW)` });
  let opened: EditReply | null = null;
  if (created.body !== undefined) {
    opened = parseEditReply(created.body, `${what} (NEW)`);
    if (opened.kind !== 'success') {
      // abas could not open the editor: nothing exists to cancel unless it named one.
      const named = editorOf(created.reply, null);
      if (named) await cancel(d, named);
      throw editError(opened, 'open', `${what} (NEW)`);
    }
  }
  const editor = editorOf(created.reply, opened);
  if (!editor) throw new ErpError('malformed', `${what}: commands/NEW named no editor (no x-abas-mw-workingset / x-abas-mw-workingseteditor headers, no editor meta, no Location)`);

  try {
    await applyActions(d, editor, actions, 'fields', `${what} (fields)`);
  } catch (e) {
    await cancel(d, editor);
    throw e;
  }

  let committed: EditReply;
  try {
    committed = await applyActions(d, editor, [{ _type: 'Commit', dialogAnswers: [] }], 'commit', `${what} (Commit)`);
  } catch (e) {
    if (isErpError(e) && e.kind === 'malformed') {
      // Not one of the three documented replies: the Commit may have gone through.
      throw new ErpError('unknown_outcome', `${what}: ${e.message}; the Commit may have gone through, so Tieout looks the payment up before any retry`);
    }
    if (isErpError(e) && (e.kind === 'validation' || e.kind === 'transient' || e.kind === 'permission' || e.kind === 'config' || e.kind === 'auth')) {
      // A refused commit leaves the editor open: cancel it. If the cancel fails
      // after an HTTP 5xx we cannot tell whether the commit went through.
      const cancelled = await cancel(d, editor);
      if (!cancelled && e.kind === 'transient' && !verdicts.has(e)) throw new ErpError('unknown_outcome', `${what}: the Commit failed (${e.message}) and the editor could not be cancelled; look the payment up before any retry`);
    }
    throw e;
  }
  // Closing frees the working set; the payment is committed either way.
  const workingSet = workingSetOf(editor);
  if (committed.kind === 'success' && workingSet) await d.call('POST', `${workingSet}/commands/CLOSE`, { what: `${what} (CLOSE)` }).catch(() => undefined);
}

/**
 * POSTs actions to the editor and reads abas's verdict from the body. An
 * error reply throws (abas applied none of the remaining actions); a dialog
 * is answered from the dialogAnswers setting and the remaining actions sent
 * again, else it throws naming the dialog.
 */
async function applyActions(d: EditorDeps, editor: string, actions: readonly Action[], stage: EditStage, what: string): Promise<EditReply> {
  let pending = actions;
  for (let round = 0; ; round++) {
    const { body } = await d.call('POST', editor, { what, isWrite: stage === 'commit', body: { actions: pending } });
    const reply = parseEditReply(body, what);
    if (reply.kind === 'success') return reply;
    if (reply.kind === 'error') throw editError(reply, stage, what);
    const answer = d.dialogAnswers.get(reply.dialog.id);
    if (answer === undefined || round >= MAX_DIALOG_ROUNDS || reply.remainingActions.length === 0) {
      const asked = `${reply.dialog.title ? `${reply.dialog.title}: ` : ''}${reply.dialog.prompt || reply.text}`;
      throw new ErpError(
        'validation',
        `${what}: abas asked "${asked}" (dialog ${reply.dialog.id}); Tieout answers only dialogs listed in the dialogAnswers setting, so it cancelled and nothing was committed`,
        { erpMessage: asked },
      );
    }
    // The first remaining action is the one that raised the dialog: it carries the answer.
    const [first, ...rest] = reply.remainingActions;
    pending = [{ ...first, [reply.dialog.answersProperty]: [{ id: reply.dialog.id, values: [answer] }] }, ...rest];
  }
}

function editError(reply: Exclude<EditReply, { kind: 'success' }>, stage: EditStage, what: string): ErpError {
  if (reply.kind === 'dialog') return new ErpError('validation', `${what}: abas asked a dialog (${reply.dialog.id}) Tieout cannot answer: ${reply.text}`, { erpMessage: reply.text });
  const kind = editErrorKind(reply.category, stage);
  const hint =
    kind === 'transient' ? '; nothing was committed, it can be tried again' : kind === 'config' ? '; check the database:group settings and the abas licence' : '; nothing was committed';
  const error = new ErpError(kind, `${what}: abas refused it (${reply.category}): ${reply.text}${hint}`, { erpMessage: reply.text });
  verdicts.add(error);
  return error;
}

/** CANCEL on the editor (OpenAPI .../wip/{editor}/commands/CANCEL), then CLOSE its working set. True when abas confirmed the cancel. */
async function cancel(d: EditorDeps, editor: string): Promise<boolean> {
  let cancelled = false;
  try {
    const { body } = await d.call('POST', `${editor}/commands/CANCEL`, { what: 'abas CANCEL', body: { dialogAnswers: [] } });
    cancelled = body === undefined || parseEditReply(body, 'abas CANCEL').kind === 'success';
  } catch {
    cancelled = false;
  }
  const workingSet = workingSetOf(editor);
  if (workingSet) await d.call('POST', `${workingSet}/commands/CLOSE`, { what: 'abas CLOSE' }).catch(() => undefined);
  return cancelled;
}
