import { describe, expect, it } from 'vitest';
import { statusError } from '../../electron/core/erp/http-transport';
import { P21Http } from '../../electron/core/erp/p21/http';

// Drift: the ERP clients each read Retry-After their own way. Eclipse/abas and
// SAP ignored an HTTP-date; P21 passed a negative number through as a wait.

const wording = { erp: 'Eclipse', authStatuses: new Set([401]), authMessage: 'signed out', notFoundHint: 'check the URL' };

describe('Retry-After on ERP replies', () => {
  it('Eclipse/abas read an HTTP-date, as PayTrace does', () => {
    const inOneMinute = new Date(Date.now() + 60_000).toUTCString();
    const e = statusError({ status: 503, headers: { 'retry-after': inOneMinute }, text: '' }, 'Posting', true, undefined, wording);
    expect(e?.kind).toBe('transient');
    expect(e?.retryAfterSeconds).toBeGreaterThanOrEqual(58);
    expect(e?.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('P21 ignores a negative Retry-After instead of asking for a negative wait', () => {
    const http = new P21Http({ baseUrl: 'http://127.0.0.1:1', credentials: { username: 'u', password: 'p' }, authVersion: 'v2', timeoutMs: 1000 });
    try {
      const e = http.statusError(503, '', '-5', 'read', 'invoices');
      expect(e.kind).toBe('transient');
      expect(e.retryAfterSeconds).toBeUndefined();
      expect(http.statusError(429, '', '12', 'read', 'invoices').retryAfterSeconds).toBe(12);
      expect(http.statusError(429, '', '12', 'read', 'invoices').retryAfterMs).toBe(12_000);
    } finally {
      http.close();
    }
  });
});
