import { ErpError, type ErpErrorKind } from '../errors';

// Reading the reply of an abas edit call (commands/NEW, the editor's actions,
// Commit, CANCEL). The published abas ERP REST OpenAPI (v1.2.0) answers every
// edit call with HTTP 200 and one of three bodies, told apart by `_type`
// (and the envelope's `meta.contentType`):
//   EditSuccessResponse  { _type, data, messages }
//   EditErrorResponse    { _type, data, messages, error: AbasErpError, remainingActions }
//   EditDialogResponse   { ...EditErrorResponse, dialogInfo }
// with AbasErpError = { category, error: ErpMessage { text[], fieldNames[], rowSpec, value } }.
// So the HTTP status says nothing about whether the edit happened: the body does.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** AbasErpError.category values in the OpenAPI. */
export const ABAS_ERROR_CATEGORIES = ['MISSING_OBJECT', 'ACCESS_DENIED', 'MISSING_ARGUMENT', 'ILLEGAL_ARGUMENT', 'UNAVAILABLE', 'AUTHENTICATION_FAILURE', 'RECORD_LOCKED', 'INTERNAL_ERROR', 'OTHER'] as const;

export type AbasDialog = Readonly<{ id: string; type: string; title: string; prompt: string; answersProperty: string }>;

export type EditorIds = Readonly<{ workingSetId: string; workingSetEditorId: string }>;

export type EditReply =
  | Readonly<{ kind: 'success'; data: Obj | undefined; editor: EditorIds | null; state: string }>
  | Readonly<{ kind: 'error'; category: string; text: string; remainingActions: readonly Obj[] }>
  | Readonly<{ kind: 'dialog'; dialog: AbasDialog; text: string; remainingActions: readonly Obj[] }>;

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** ErpMessage.text[] (plus where it points: field, row, value) in one line. */
function messageText(m: unknown): string {
  if (!isObj(m)) return '';
  const text = Array.isArray(m.text) ? m.text.filter((t): t is string => typeof t === 'string').join(' ') : str(m.text);
  const fields = Array.isArray(m.fieldNames) ? m.fieldNames.filter((f): f is string => typeof f === 'string' && f !== '') : [];
  const where = [fields.length ? `field ${fields.join(', ')}` : '', str(m.rowSpec) && str(m.rowSpec) !== '0' ? `row ${str(m.rowSpec)}` : '', str(m.value) ? `value "${str(m.value)}"` : ''].filter(Boolean);
  return `${text.trim()}${where.length ? ` (${where.join(', ')})` : ''}`.trim();
}

/** The text of an AbasErpError: its error message and any details. */
export function abasErrorText(error: unknown): string {
  if (!isObj(error)) return '';
  const details = Array.isArray(error.details) ? error.details.map(messageText).filter(Boolean) : [];
  return [messageText(error.error), ...details].filter(Boolean).join('; ');
}

function editorIdsOf(data: Obj | undefined): EditorIds | null {
  const meta = data && isObj(data.meta) ? data.meta : undefined;
  const ws = str(meta?.workingSetId);
  const wse = str(meta?.workingSetEditorId);
  return ws && wse ? { workingSetId: ws, workingSetEditorId: wse } : null;
}

/**
 * Classifies an edit reply. A body that is none of the three documented forms
 * throws `malformed`: the caller decides what that means (after a Commit it is
 * an unknown outcome).
 */
export function parseEditReply(body: unknown, what: string): EditReply {
  const content = isObj(body) && isObj(body.content) ? body.content : undefined;
  if (!content) throw new ErpError('malformed', `${what}: abas sent no edit reply (expected content with _type)`);
  const envelopeType = isObj(body) && isObj(body.meta) ? str(body.meta.contentType) : '';
  const type = str(content._type) || envelopeType;
  const data = isObj(content.data) ? content.data : undefined;
  const remainingActions = isObj(content.remainingActions) && Array.isArray(content.remainingActions.actions) ? content.remainingActions.actions.filter(isObj) : [];
  if (type === 'EditSuccessResponse') {
    const state = data && isObj(data.meta) ? str(data.meta.state) : '';
    return { kind: 'success', data, editor: editorIdsOf(data), state };
  }
  if (type === 'EditErrorResponse' || type === 'EditDialogResponse') {
    const error = isObj(content.error) ? content.error : undefined;
    const text = abasErrorText(error) || `abas refused the edit (${type} without a message)`;
    if (type === 'EditDialogResponse') {
      const d = isObj(content.dialogInfo) ? content.dialogInfo : undefined;
      if (!d || !str(d.id)) throw new ErpError('malformed', `${what}: abas asked a dialog without dialogInfo.id`);
      const dialog: AbasDialog = { id: str(d.id), type: str(d.type), title: str(d.title), prompt: str(d.prompt), answersProperty: str(d.answersProperty) || 'dialogAnswers' };
      return { kind: 'dialog', dialog, text, remainingActions };
    }
    const category = error ? str(error.category) : '';
    return { kind: 'error', category: category || 'OTHER', text, remainingActions };
  }
  throw new ErpError('malformed', `${what}: abas sent an edit reply of unknown type "${type || '(none)'}"`);
}

export type EditStage = 'open' | 'fields' | 'commit';

/**
 * What an AbasErpError category means for Tieout. An error reply means abas
 * did not apply the action, so nothing is committed whatever the category.
 * RECORD_LOCKED: someone else holds the record (an open item, the customer)
 * and it frees up; the next attempt starts with the look-up.
 */
export function editErrorKind(category: string, stage: EditStage): ErpErrorKind {
  switch (category) {
    case 'RECORD_LOCKED':
      return 'transient';
    case 'AUTHENTICATION_FAILURE':
      return 'auth';
    case 'ACCESS_DENIED':
      return 'permission';
    case 'UNAVAILABLE':
    case 'MISSING_OBJECT':
      // Opening the editor names only the database:group: its absence is a setting to fix.
      return stage === 'open' ? 'config' : 'validation';
    default:
      // MISSING_ARGUMENT, ILLEGAL_ARGUMENT, INTERNAL_ERROR, OTHER and any category
      // the spec does not list: a refusal a person reads, never retried blindly.
      return 'validation';
  }
}
