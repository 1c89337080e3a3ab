import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import { AbasConnector } from '../../electron/core/erp/abas';
import { makeAbasConformanceTarget } from '../../electron/sandboxes/erp/abas/conformance-target';
import { ABAS_SANDBOX_PASSWORD, startAbasSandbox } from '../../electron/sandboxes/erp/abas/sandbox';
import { runConformance } from '../../electron/sandboxes/conformance/conformance-runner';
import { buildConformanceSeed } from '../../electron/sandboxes/conformance/conformance-seed';
import type { SandboxRequest, SandboxResponse } from '../../electron/sandboxes/kit/server';

// The independent check for abas (docs/erp/abas.md, "Independent check"):
// every reply the abas sandbox gives the connector, across the whole
// conformance suite, validates against the published abas ERP REST OpenAPI
// v1.2.0 (transcribed in test/fixtures/abas/openapi-excerpt.json, source and
// licence noted there), every query parameter is one the operation documents,
// and every action list the connector sends validates as an EditorCommandList.

type Schema = Record<string, unknown>;
type Operation = { operationId: string; query: string[]; response200: string; requestBody?: string };
type Excerpt = { paths: Record<string, Record<string, Operation>>; schemas: Record<string, Schema> };

const excerpt = JSON.parse(readFileSync(join(__dirname, '../fixtures/abas/openapi-excerpt.json'), 'utf8')) as Excerpt;

/**
 * Three readings the spec needs before a JSON Schema validator can apply it:
 * - its `oneOf`s list types that extend each other (allOf, no
 *   additionalProperties), so no reply could match exactly one: read as
 *   `anyOf`, and the edit reply's `_type` picks the one schema it must match;
 * - `Head`/`Row` `fields` and every `links` are lists in the application/json
 *   schema; application/abas.objects+json (what Tieout asks for) keys the
 *   same Field objects by name and the Links by rel, as the vendor's demo
 *   clients and production clients read them: replies to that media type are
 *   checked in that form, replies to application/json in the schema's own;
 * - `Field.value` is typed `object` though every public client reads strings:
 *   any JSON value is accepted.
 */
function adapt(node: unknown, keyedByName: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => adapt(n, keyedByName));
  if (typeof node !== 'object' || node === null) return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') out.$ref = `#/definitions/${v.split('/').pop()!}`;
    else if (k === 'properties' && keyedByName && typeof v === 'object' && v !== null && 'links' in v) {
      // abas.objects+json keys links by rel: { rel: [Link] } (the vendor demo reads links.'latest-version'[0].href).
      const props = adapt(v, keyedByName) as Record<string, Schema>;
      out.properties = { ...props, links: { anyOf: [props.links, { type: 'object', additionalProperties: props.links }] } };
    } else out[k === 'oneOf' ? 'anyOf' : k] = adapt(v, keyedByName);
  }
  return out;
}

/** `keyedByName`: the application/abas.objects+json form (fields by name, links by rel) instead of the application/json lists. */
function validatorFor(keyedByName: boolean): (name: string, value: unknown) => string[] {
  const definitions = adapt(excerpt.schemas, keyedByName) as Record<string, Schema>;
  if (keyedByName) {
    for (const part of ['Head', 'Row']) {
      const props = definitions[part]!.properties as Record<string, Schema>;
      props.fields = { type: 'object', additionalProperties: { $ref: '#/definitions/Field' } };
    }
  }
  delete ((definitions.Field!.properties as Record<string, Schema>).value as Schema).type;
  // OpenAPI's numeric formats (int32, int64, double) carry no check JSON Schema knows.
  const ajv = new Ajv({ allErrors: true, unknownFormats: ['int32', 'int64', 'double'], schemaId: 'auto' });
  ajv.addSchema({ $id: 'abas', definitions }, 'abas');
  return (name, value) => {
    const v = ajv.getSchema(`abas#/definitions/${name}`);
    if (!v) return [`no schema ${name}`];
    return v(value) ? [] : (v.errors ?? []).map((e) => `${name}${e.dataPath} ${e.message ?? ''}`);
  };
}
const validateObjectsJson = validatorFor(true);
const validateJson = validatorFor(false);

const EDIT_TYPES = ['EditSuccessResponse', 'EditErrorResponse', 'EditDialogResponse'];
const ACTION_TYPES = ['Cancel', 'Commit', 'DeleteRows', 'InsertRow', 'MoveRows', 'OrderTableBy', 'ResetFieldValue', 'SaveAndReload', 'SetContextField', 'SetFieldValue', 'SetFreeText'];

/** The documented operation for a request: literal segments win over path parameters. */
const operations = Object.entries(excerpt.paths)
  .flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      op,
      literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
      pattern: new RegExp(`^/mw${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    })),
  )
  .sort((a, b) => b.literals - a.literals);

type Seen = { req: SandboxRequest; res: SandboxResponse };

function problemsOf({ req, res }: Seen): string[] {
  const asJson = /application\/json/.test(req.headers.accept ?? '') && !/abas\.objects/.test(req.headers.accept ?? '');
  const validate = asJson ? validateJson : validateObjectsJson;
  const where = `${req.method} ${req.path}`;
  // The Keycloak token endpoint is not part of the abas REST API.
  if (!req.path.startsWith('/mw/')) return [];
  const match = operations.find((o) => o.method === req.method && o.pattern.test(req.path));
  if (!match) return res.status === 404 ? [] : [`${where}: no documented operation`];
  const problems: string[] = [];
  for (const key of req.query.keys()) if (!match.op.query.includes(key)) problems.push(`${where}: query parameter ${key} is not documented for ${match.op.operationId}`);
  const body = res.body;
  if (res.status >= 400) return [...problems, ...validate('EnvelopeError', body).map((p) => `${where} (${res.status}): ${p}`)];
  problems.push(...validate(match.op.response200, body).map((p) => `${where}: ${p}`));
  const content = (body as { content?: { _type?: unknown } }).content;
  if (match.op.response200.startsWith('EnvelopeAbstract')) {
    const type = String(content?._type);
    if (!EDIT_TYPES.includes(type)) problems.push(`${where}: edit reply _type ${type}`);
    else problems.push(...validate(type, content).map((p) => `${where}: ${p}`));
    if ((body as { meta?: { contentType?: unknown } }).meta?.contentType !== type) problems.push(`${where}: meta.contentType differs from _type`);
  }
  if (match.op.requestBody === 'EditorCommandList' && req.bodyText) {
    const sent = JSON.parse(req.bodyText) as { actions?: Array<{ _type?: unknown }> };
    problems.push(...validate('EditorCommandList', sent).map((p) => `${where} request: ${p}`));
    for (const a of sent.actions ?? []) {
      const type = String(a._type);
      if (!ACTION_TYPES.includes(type)) problems.push(`${where} request: action _type ${type}`);
      else problems.push(...validate(type, a).map((p) => `${where} request: ${p}`));
    }
  }
  return problems;
}

describe('abas sandbox replies against the abas ERP REST OpenAPI v1.2.0', () => {
  it('the excerpt is the published spec', () => {
    const source = (JSON.parse(readFileSync(join(__dirname, '../fixtures/abas/openapi-excerpt.json'), 'utf8')) as { _source: { version: string; title: string } })._source;
    expect(source).toMatchObject({ title: 'abas ERP Rest API', version: '1.2.0' });
    // The facts the connector relies on, as published.
    expect(excerpt.paths['/r/{clientId}/obj/data/{table}']!.get!.query).toEqual(expect.arrayContaining(['headFields', 'tableFields', 'offset', 'limit', 'criteria']));
    expect(excerpt.paths['/r/{clientId}/obj/data/{table}']!.get!.query).not.toContain('filterTableFields');
    expect((excerpt.schemas.AbasErpError!.properties as Record<string, { enum?: string[] }>).category!.enum).toContain('RECORD_LOCKED');
  });

  it('asked for application/json, the sandbox answers in the schema\'s own form (fields and links as lists)', async () => {
    const seen: Seen[] = [];
    const sandbox = await startAbasSandbox(buildConformanceSeed(), { onReply: (req, res) => seen.push({ req, res }) });
    try {
      const auth = { authorization: `Basic ${Buffer.from(`:${ABAS_SANDBOX_PASSWORD}`).toString('base64')}`, accept: 'application/json', 'content-type': 'application/json', 'accept-language': 'en' };
      const root = `${sandbox.url}/mw/r/demo`;
      // `id` is a head field of every object (omnisloader's getList asks for it).
      await fetch(`${root}/obj/data/0:1?headFields=id,nummer,such,name&tableFields=-&limit=3&offset=1`, { headers: auth });
      const created = await fetch(`${root}/obj/data/8:1/commands/NEW`, { method: 'POST', headers: auth });
      const editor = `${root}/workspace/${created.headers.get('x-abas-mw-workingset') ?? ''}/wip/${created.headers.get('x-abas-mw-workingseteditor') ?? ''}`;
      const act = (actions: unknown[]) => fetch(editor, { method: 'POST', headers: auth, body: JSON.stringify({ actions }) });
      await act([{ _type: 'SetFieldValue', fieldName: 'nosuchfield', value: '1', dialogAnswers: [] }]);
      await act([{ _type: 'Commit', dialogAnswers: [] }]);
      await fetch(`${root}/obj/data/8:1?tableFields=rechnr&filterTableFields=rechnr`, { headers: auth });
    } finally {
      await sandbox.close();
    }
    expect(seen.map((s) => (s.res.body as { meta: { contentType: string } }).meta.contentType)).toEqual(['ErpResponseErpDataObjectList', 'EditSuccessResponse', 'EditErrorResponse', 'EditErrorResponse', 'Error']);
    // The one problem is the parameter the request named on purpose, and the sandbox refused it too.
    expect([...new Set(seen.flatMap(problemsOf))]).toEqual(['GET /mw/r/demo/obj/data/8:1: query parameter filterTableFields is not documented for getList']);
    const list = seen[0]!.res.body as { content: { data: { erpDataObjects: Array<{ head: { fields: unknown } }> } } };
    expect(Array.isArray(list.content.data.erpDataObjects[0]!.head.fields)).toBe(true);
  });

  it('every reply of the whole conformance suite validates, every parameter is documented', async () => {
    const seen: Seen[] = [];
    const results = await runConformance(makeAbasConformanceTarget((req, res) => seen.push({ req, res })));
    expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.scenario}: ${r.status} ${r.detail}`)).toEqual([]);

    // Credit memos and discovery are not in the shared suite: the same check over them.
    const sandbox = await startAbasSandbox(buildConformanceSeed(), { onReply: (req, res) => seen.push({ req, res }) });
    try {
      const c = new AbasConnector({ baseUrl: sandbox.baseUrl, options: sandbox.options, credentials: sandbox.credentials, timeoutMs: 5_000 });
      const customerId = buildConformanceSeed().customers[0]!.customerId;
      await c.postCreditMemo({ reference: '812900001', originalReference: '712900001', customerId, date: '2026-03-02', amountCents: cents(4550), currency: 'USD', reason: 'refund' });
      const facts = await c.discover();
      expect(facts.filter((f) => f.ok === false)).toEqual([]);
    } finally {
      await sandbox.close();
    }

    const problems = seen.flatMap(problemsOf);
    expect([...new Set(problems)].slice(0, 20)).toEqual([]);
    // Not a vacuous pass: each documented reply form was exercised.
    const types = new Set(seen.map((s) => (s.res.body as { meta?: { contentType?: string } } | undefined)?.meta?.contentType));
    for (const t of ['ErpResponseErpDataObjectList', 'EditSuccessResponse', 'EditErrorResponse', 'EditDialogResponse', 'ErpResponseWorkingSetEditorList', 'ErpResponseLinkList', 'Error']) expect(types).toContain(t);
    expect(seen.length).toBeGreaterThan(200);
  }, 120_000);
});
