import type { SandboxResponse } from '../../kit/server';
import { ABAS_MEDIA_TYPE } from '../../../core/erp/abas/objects';

// The shapes the abas ERP REST API (OpenAPI "abas ERP Rest API" v1.2.0,
// docs/erp/abas.md) answers with: every reply is an Envelope
// { meta: { contentType }, content, protocolVersion }; records are
// ErpDataObjects { meta: ErpDataObjectMeta | ErpEditorObjectMeta, head, table };
// edit calls answer HTTP 200 with EditSuccessResponse, EditErrorResponse or
// EditDialogResponse in `content` (told apart by `_type`). Fields are keyed by
// name, as application/abas.objects+json replies are read by the vendor demo
// clients and production clients.

export const ABAS_PROTOCOL_VERSION = '1.2.0';

export type Fields = Record<string, string>;
export type EditorState = 'ACTIVE' | 'CANCELED' | 'COMMITTED';

/** Query parameters each endpoint documents (OpenAPI); the real middleware refuses others. */
const COMMON = ['trimValues', 'disableFOP', 'erpFlags', 'maxFTextSize', 'variableLanguage', 'maxWaitOnLock', 'storeRowMode', 'dialogMode', 'blockingActionTimeout', 'enableBlockingActions'];
export const DOCUMENTED_QUERY: Readonly<Record<'list' | 'record' | 'command' | 'editorPost' | 'editorGet' | 'commands' | 'none', readonly string[]>> = {
  list: [...COMMON, 'noStreaming', 'criteria', 'headFields', 'tableFields', 'offset', 'limit', 'tableOffset', 'tableLimit'],
  record: [...COMMON, 'headFields', 'tableFields', 'dataSource', 'byQuery', 'tableOffset', 'tableLimit'],
  command: [...COMMON, 'workingSetId', 'editorId', 'filterHeadFields', 'filterTableFields', 'tableOffset', 'tableLimit', 'cn', 'start'],
  editorPost: COMMON,
  editorGet: [...COMMON, 'headFields', 'tableFields', 'tableOffset', 'tableLimit'],
  commands: ['permittedOnly'],
  none: [],
};

export function envelope(status: number, contentType: string, content: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, body: { meta: { contentType }, content, protocolVersion: ABAS_PROTOCOL_VERSION }, headers: { 'content-type': `${ABAS_MEDIA_TYPE}; charset=utf-8`, ...headers } };
}

/** A non-edit failure (auth, unknown path or parameter): the EnvelopeError form. */
export function errorEnvelope(status: number, message: string, type = 'USER_ERROR'): SandboxResponse {
  return envelope(status, 'Error', { error: { message, type } });
}

const fieldsOf = (f: Fields, keep: readonly string[] | null) =>
  Object.fromEntries(Object.entries(f).filter(([k]) => !keep || keep.includes(k)).map(([k, v]) => [k, { name: k, value: v, text: v }]));

const groupOf = (dbGroup: string): { db: string; group: string } => {
  const [db, group] = dbGroup.split(':');
  return { db: db ?? '0', group: group ?? '0' };
};

/** AbstractErpDataObjectMeta: every property the OpenAPI marks required. */
function recordMeta(id: string, dbGroup: string, tenant: string, sourceType: 'QUERY' | 'EDITOR', rowCount: number, root: string) {
  const { db, group } = groupOf(dbGroup);
  return {
    sourceType,
    objectType: `${db}:${group}`,
    client: tenant,
    schemaVersion: '1',
    group: db,
    objectGroup: group,
    id,
    identNumber: id.replace(/[^0-9]/g, '').slice(0, 10) || '0',
    version: '1',
    lastModified: '2026-01-05T08:00:00.000Z',
    tag: `${id}-1`,
    filingVersion: '0',
    rowCount,
    link: { rel: 'self', href: `${root}/obj/data/${dbGroup}/${encodeURIComponent(id)}`, description: id, objectType: dbGroup },
  };
}

export function dataObject(o: Readonly<{ id: string; dbGroup: string; head: Fields; rows: readonly Fields[]; tenant: string; root: string }>, headFields: readonly string[] | null, tableFields: readonly string[] | null) {
  return {
    meta: { _type: 'ErpDataObjectMeta', ...recordMeta(o.id, o.dbGroup, o.tenant, 'QUERY', o.rows.length, o.root) },
    head: { fields: fieldsOf(o.head, headFields) },
    table: tableFields ? o.rows.map((r, i) => ({ number: i + 1, fields: fieldsOf(r, tableFields) })) : [],
  };
}

export function objectList(objects: readonly unknown[]): unknown {
  return { data: { meta: { _type: 'ErpDataObjectListMeta' }, erpDataObjects: objects }, messages: [] };
}

export type EditorView = Readonly<{ workingSetId: string; workingSetEditorId: string; dbGroup: string; head: Fields; rows: readonly Fields[]; state: EditorState; objectId: string; tenant: string; root: string }>;

/** The editor's object: an ErpDataObject whose meta is ErpEditorObjectMeta. */
export function editorObject(e: EditorView) {
  const editorPath = `${e.root}/workspace/${e.workingSetId}/wip/${e.workingSetEditorId}`;
  return {
    meta: {
      _type: 'ErpEditorObjectMeta',
      ...recordMeta(e.objectId || '', e.dbGroup, e.tenant, 'EDITOR', e.rows.length, e.root),
      action: 'NEW',
      editRowId: '',
      fieldNames: Object.keys(e.head),
      nextFieldNames: [],
      nextRow: 0,
      priority: 'NoPrio',
      screenCtxConfig: '',
      screenCtxFOP: '',
      screenCtxUser: '',
      state: e.state,
      typeCommand: '',
      workingSetId: e.workingSetId,
      workingSetEditorId: e.workingSetEditorId,
    },
    links: [
      { rel: 'self', href: editorPath, description: 'editor', objectType: e.dbGroup },
      { rel: 'up', href: `${e.root}/workspace/${e.workingSetId}`, description: 'working set', objectType: 'WorkingSet' },
      ...(e.objectId ? [{ rel: 'latest-version', href: `${e.root}/obj/data/${e.dbGroup}/${encodeURIComponent(e.objectId)}`, description: e.objectId, objectType: e.dbGroup }] : []),
      { rel: 'urn:abas:rel:workingSetEditor:CANCEL', href: `${editorPath}/commands/CANCEL`, description: 'CANCEL', objectType: e.dbGroup },
      { rel: 'urn:abas:rel:workingSet:CLOSE', href: `${e.root}/workspace/${e.workingSetId}/commands/CLOSE`, description: 'CLOSE', objectType: e.dbGroup },
    ],
    head: { fields: fieldsOf(e.head, null) },
    table: e.rows.map((r, i) => ({ number: i + 1, fields: fieldsOf(r, null) })),
  };
}

export function editSuccess(e: EditorView, headers: Record<string, string> = {}, status = 200): SandboxResponse {
  return envelope(status, 'EditSuccessResponse', { _type: 'EditSuccessResponse', data: editorObject(e), messages: [] }, headers);
}

export type EditErrorCategory = 'MISSING_OBJECT' | 'ACCESS_DENIED' | 'MISSING_ARGUMENT' | 'ILLEGAL_ARGUMENT' | 'UNAVAILABLE' | 'AUTHENTICATION_FAILURE' | 'RECORD_LOCKED' | 'INTERNAL_ERROR' | 'OTHER';

const erpMessage = (text: string, fieldNames: readonly string[], rowSpec: string, value?: string) => ({
  _type: 'ErpMessage',
  type: 'ERROR',
  text: [text],
  fieldNames: [...fieldNames],
  rowSpec,
  ...(value === undefined ? {} : { value }),
});

/** HTTP 200 with EditErrorResponse: abas applied `successCount` actions and none of `remaining` (the first caused the error). */
export function editError(
  e: EditorView,
  category: EditErrorCategory,
  text: string,
  context: Readonly<{ fieldNames?: readonly string[]; rowSpec?: string; value?: string; successCount: number; remaining: readonly unknown[] }>,
): SandboxResponse {
  return envelope(200, 'EditErrorResponse', {
    _type: 'EditErrorResponse',
    data: editorObject(e),
    messages: [],
    error: { category, error: erpMessage(text, context.fieldNames ?? [], context.rowSpec ?? '0', context.value), details: [] },
    remainingActions: { successCount: context.successCount, actions: [...context.remaining] },
  });
}

/** HTTP 200 with EditDialogResponse: abas stopped at a question and waits for a dialogAnswers entry on the first remaining action. */
export function editDialog(e: EditorView, dialog: Readonly<{ id: string; title: string; prompt: string }>, successCount: number, remaining: readonly unknown[]): SandboxResponse {
  return envelope(200, 'EditDialogResponse', {
    _type: 'EditDialogResponse',
    data: editorObject(e),
    messages: [],
    error: { category: 'OTHER', error: erpMessage(dialog.prompt, [], '0') },
    remainingActions: { successCount, actions: [...remaining] },
    dialogInfo: { source: 'EDITOR', answersProperty: 'dialogAnswers', type: 'CONFIRMATION', id: dialog.id, title: dialog.title, prompt: dialog.prompt, defaultValue: 'no', columnHeaders: [], attributes: [] },
  });
}

/** WorkingSetEditor list for working-set CLOSE / CANCEL. */
export function workingSetClosed(editors: readonly EditorView[]): SandboxResponse {
  return envelope(200, 'ErpResponseWorkingSetEditorList', {
    data: {
      workingSetEditors: editors.map((e) => ({
        workingSetId: e.workingSetId,
        workingSetEditorId: e.workingSetEditorId,
        state: e.state,
        action: 'NEW',
        objectId: e.objectId,
        sourceType: 'EDITOR',
        description: `${e.dbGroup} NEW`,
        objectGroup: e.dbGroup,
        objectGroupDescr: e.dbGroup,
        identNumber: e.objectId.replace(/[^0-9]/g, '') || '0',
        creationTime: '2026-01-05T08:00:00.000Z',
      })),
    },
    messages: [],
  });
}

/** GET workspace/{workingSet}: the WorkingSet with its CLOSE and (while not committed) CANCEL links. */
export function workingSet(e: EditorView): SandboxResponse {
  const ws = `${e.root}/workspace/${e.workingSetId}`;
  return envelope(200, 'ErpResponseWorkingSet', {
    data: {
      workingSetId: e.workingSetId,
      label: '',
      creationTime: '2026-01-05T08:00:00.000Z',
      lastAccessed: '2026-01-05T08:00:00.000Z',
      expiresAt: '2026-01-05T09:00:00.000Z',
      links: [
        { rel: 'urn:abas:rel:workingSet:CLOSE', href: `${ws}/commands/CLOSE`, description: 'CLOSE', objectType: 'WorkingSet' },
        ...(e.state === 'ACTIVE' ? [{ rel: 'urn:abas:rel:workingSet:CANCEL', href: `${ws}/commands/CANCEL`, description: 'CANCEL', objectType: 'WorkingSet' }] : []),
      ],
    },
    messages: [],
  });
}

type Json = unknown;
const isPlain = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The same reply in the form the client asked for. application/json: the
 * OpenAPI's schema (fields as [{name, value, text}], links as a list).
 * application/abas.objects+json (the default here, what Tieout and the vendor
 * demo clients ask for): fields keyed by name, links keyed by rel
 * (`links.'latest-version'[0].href` in the vendor's CreateOpportunity demo).
 */
export function inForm(res: SandboxResponse, accept: string | undefined): SandboxResponse {
  const json = /application\/json/.test(accept ?? '') && !/abas\.objects/.test(accept ?? '');
  const walk = (v: Json, key: string): Json => {
    if (Array.isArray(v)) {
      if (key === 'links' && !json) {
        const byRel: Record<string, Json[]> = {};
        for (const l of v) if (isPlain(l) && typeof l.rel === 'string') (byRel[l.rel] ??= []).push(walk(l, ''));
        return byRel;
      }
      return v.map((x) => walk(x, ''));
    }
    if (!isPlain(v)) return v;
    if (key === 'fields' && json) return Object.values(v).map((f) => walk(f, ''));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
  };
  const form = json ? 'application/json' : ABAS_MEDIA_TYPE;
  return { ...res, body: walk(res.body, ''), headers: { ...res.headers, 'content-type': `${form}; charset=utf-8` } };
}
