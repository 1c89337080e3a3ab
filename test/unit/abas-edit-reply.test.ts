import { describe, expect, it } from 'vitest';
import { editErrorKind, parseEditReply } from '../../electron/core/erp/abas/edit-reply';
import { parseObjects } from '../../electron/core/erp/abas/objects';
import { ErpError } from '../../electron/core/erp/errors';

// abas answers every edit call with HTTP 200; these are the body forms of the
// abas ERP REST OpenAPI v1.2.0 (EnvelopeAbstractEditResponse) the connector must tell apart.

const envelope = (content: Record<string, unknown>) => ({ meta: { contentType: String(content._type ?? '') }, content, protocolVersion: '1.2.0' });
const editorData = { meta: { workingSetId: 'ws1', workingSetEditorId: 'wse1', state: 'ACTIVE' }, head: { fields: {} } };

describe('parseEditReply', () => {
  it('reads a success with the editor ids', () => {
    const r = parseEditReply(envelope({ _type: 'EditSuccessResponse', data: editorData, messages: [] }), 'NEW');
    expect(r).toMatchObject({ kind: 'success', editor: { workingSetId: 'ws1', workingSetEditorId: 'wse1' }, state: 'ACTIVE' });
  });

  it('reads an error: category, text[] with field, row and value, remaining actions', () => {
    const r = parseEditReply(
      envelope({
        _type: 'EditErrorResponse',
        data: editorData,
        messages: [],
        error: { category: 'ILLEGAL_ARGUMENT', error: { _type: 'ErpMessage', text: ['Betrag ist', 'nicht zulässig'], fieldNames: ['zbetrag'], rowSpec: '2', value: '9.99' } },
        remainingActions: { successCount: 3, actions: [{ _type: 'SetFieldValue', fieldName: 'zbetrag', value: '9.99', dialogAnswers: [] }, { _type: 'Commit', dialogAnswers: [] }] },
      }),
      'fields',
    );
    expect(r).toMatchObject({ kind: 'error', category: 'ILLEGAL_ARGUMENT', text: 'Betrag ist nicht zulässig (field zbetrag, row 2, value "9.99")' });
    expect(r.kind === 'error' && r.remainingActions).toHaveLength(2);
  });

  it('reads a dialog with its id, prompt and answers property', () => {
    const r = parseEditReply(
      envelope({
        _type: 'EditDialogResponse',
        data: editorData,
        messages: [],
        error: { category: 'OTHER', error: { text: ['Differenz buchen?'], fieldNames: [], rowSpec: '0' } },
        remainingActions: { successCount: 0, actions: [{ _type: 'Commit', dialogAnswers: [] }] },
        dialogInfo: { id: 'D1', type: 'CONFIRMATION', title: 'OP', prompt: 'Differenz buchen?', answersProperty: 'dialogAnswers', source: 'EDITOR', columnHeaders: [], attributes: [] },
      }),
      'Commit',
    );
    expect(r).toMatchObject({ kind: 'dialog', dialog: { id: 'D1', prompt: 'Differenz buchen?', answersProperty: 'dialogAnswers' } });
  });

  it('takes the type from meta.contentType when content has no _type', () => {
    expect(parseEditReply({ meta: { contentType: 'EditSuccessResponse' }, content: { data: editorData, messages: [] } }, 'x').kind).toBe('success');
  });

  it('refuses what is none of the three forms: the old flat shapes and an unknown _type are not a success', () => {
    for (const body of [{ content: { data: { id: 'x', links: [] } } }, { errorMessage: 'nope' }, envelope({ _type: 'EditMaybeResponse', data: editorData }), null, 'text']) {
      expect(() => parseEditReply(body, 'Commit')).toThrow(ErpError);
    }
  });
});

describe('editErrorKind', () => {
  it('maps the categories the OpenAPI lists', () => {
    expect(editErrorKind('RECORD_LOCKED', 'commit')).toBe('transient');
    expect(editErrorKind('AUTHENTICATION_FAILURE', 'fields')).toBe('auth');
    expect(editErrorKind('ACCESS_DENIED', 'open')).toBe('permission');
    expect(editErrorKind('UNAVAILABLE', 'open')).toBe('config');
    expect(editErrorKind('MISSING_OBJECT', 'open')).toBe('config');
    expect(editErrorKind('MISSING_OBJECT', 'fields')).toBe('validation');
    expect(editErrorKind('ILLEGAL_ARGUMENT', 'commit')).toBe('validation');
    expect(editErrorKind('SOMETHING_NEW', 'commit')).toBe('validation');
  });
});

describe('parseObjects', () => {
  it('reads fields keyed by name and the OpenAPI list form, and the id from meta.id', () => {
    const body = {
      meta: { contentType: 'ErpResponseErpDataObjectList' },
      protocolVersion: '1.2.0',
      content: {
        data: {
          meta: {},
          erpDataObjects: [
            { meta: { id: '(1,0,1)' }, head: { fields: { nummer: { value: '70001', text: '70001' } } } },
            { meta: { id: '(2,0,1)' }, head: { fields: [{ name: 'nummer', value: '70002', text: '70002' }] }, table: [{ fields: [{ name: 'rechnr', value: 'RE-1', text: 'RE-1' }] }] },
          ],
        },
        messages: [],
      },
    };
    const objects = parseObjects(body, 'customers');
    expect(objects.map((o) => [o.id, o.head.nummer])).toEqual([['(1,0,1)', '70001'], ['(2,0,1)', '70002']]);
    expect(objects[1]!.rows).toEqual([{ rechnr: 'RE-1' }]);
  });
});
