import { useEffect, useState } from 'react';
import { NO_GL_ACCOUNT_LABEL, type CashReceiptsJournal, type JournalTotal } from '@shared/api/export';
import { formatMoney } from '@shared/money';
import { errorMessage } from '../../api/client';
import { useApiQuery } from '../../api/query';
import { formatDateTimeInZone } from '../../format';
import { journalHash, type PrintRoute } from './print-route';
import './print.css';

// The cash-receipts journal of a day, laid out for paper (A4 or Letter): what
// the ERP accepted, who approved it, its document number, and the totals a
// controller ties to the deposit and the GL. Printed with printToPDF on the
// desktop, with the browser's print dialog from the web host.

function Totals({ title, keyHeader, rows, testId }: Readonly<{ title: string; keyHeader: string; rows: readonly JournalTotal[]; testId: string }>) {
  return (
    <table className="journal-totals" data-testid={testId}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th>{keyHeader}</th>
          <th className="r">Receipts</th>
          <th className="r">Amount</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr key={`${t.key}-${t.currency}`}>
            <td>{t.key}</td>
            <td className="r num">{t.count}</td>
            <td className="r num">{formatMoney(t.cents, t.currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Journal({ j, pageSize, setPageSize }: Readonly<{ j: CashReceiptsJournal; pageSize: 'A4' | 'Letter'; setPageSize: (s: 'A4' | 'Letter') => void }>) {
  const [saving, setSaving] = useState(false);
  const print = async () => {
    if (window.tieoutShell) {
      setSaving(true);
      try {
        await window.tieoutShell.printToPdf(`cash-receipts-journal-${j.date}.pdf`, pageSize);
      } finally {
        setSaving(false);
      }
    } else window.print();
  };
  return (
    <div className={`journal journal-${pageSize.toLowerCase()}`} data-testid="journal-page" data-count={j.count}>
      <div className="journal-controls no-print">
        <a href="#/" className="btn btn-ghost btn-sm" data-testid="journal-back">
          ← Back to Tieout
        </a>
        <label>
          Day{' '}
          <input
            type="date"
            value={j.date}
            data-testid="journal-date-input"
            onChange={(e) => {
              if (/^\d{4}-\d{2}-\d{2}$/.test(e.target.value)) window.location.hash = journalHash(e.target.value);
            }}
          />
        </label>
        <label>
          Paper{' '}
          <select value={pageSize} onChange={(e) => setPageSize(e.target.value === 'A4' ? 'A4' : 'Letter')} data-testid="journal-paper">
            <option value="Letter">Letter</option>
            <option value="A4">A4</option>
          </select>
        </label>
        <button type="button" className="btn btn-primary btn-sm" data-testid="journal-print" disabled={saving} onClick={() => void print()}>
          {window.tieoutShell ? (saving ? 'Saving PDF…' : 'Save as PDF') : 'Print / Save as PDF'}
        </button>
      </div>
      <header className="journal-head">
        <div>
          <h1>Cash receipts journal</h1>
          <div className="journal-sub">
            {j.erpLabel}
            {j.companyCode ? ` · company ${j.companyCode}` : ''} · posted on <strong data-testid="journal-date">{j.date}</strong> ({j.zone})
          </div>
        </div>
        <div className="journal-meta">
          <div>
            Generated {formatDateTimeInZone(j.generatedAt, j.zone)} by {j.generatedBy}
          </div>
          <div>Source: Tieout (PayTrace → {j.erpLabel})</div>
        </div>
      </header>

      <table className="journal-lines" data-testid="journal-lines">
        <thead>
          <tr>
            <th>Transaction</th>
            <th>Payer / customer</th>
            <th className="r">Amount</th>
            <th>Method</th>
            <th>Invoices applied</th>
            <th>GL account</th>
            <th>ERP document</th>
            <th>Approved by</th>
            <th>Posted</th>
          </tr>
        </thead>
        <tbody>
          {j.lines.map((l) => (
            <tr key={l.transactionId} data-testid="journal-line">
              <td className="mono">{l.transactionId}</td>
              <td>
                <div>{l.payer}</div>
                <div className="muted">{[l.customerId, l.customerName].filter(Boolean).join(' · ')}</div>
              </td>
              <td className="r num">{formatMoney(l.amountCents, l.currency)}</td>
              <td>{l.method}</td>
              <td className="mono">{l.invoices.join(', ')}</td>
              <td className="mono">{l.glAccount ?? NO_GL_ACCOUNT_LABEL}</td>
              <td className="mono">{l.erpDocumentId ?? ''}</td>
              <td>{l.approvedBy ?? ''}</td>
              <td className="num">{formatDateTimeInZone(l.postedAt, j.zone)}</td>
            </tr>
          ))}
          {j.lines.length === 0 ? (
            <tr>
              <td colSpan={9} className="muted">
                Nothing was posted to the ERP on this day.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>

      <section className="journal-summary">
        <Totals title="By payment method" keyHeader="Payment method" rows={j.byMethod} testId="journal-by-method" />
        <Totals title="By GL account" keyHeader="GL account" rows={j.byGlAccount} testId="journal-by-gl" />
        <div className="journal-grand" data-testid="journal-grand-total">
          <div>
            Receipts: <strong data-testid="journal-count">{j.count}</strong>
          </div>
          {j.totals.map((t) => (
            <div key={t.currency}>
              Day total ({t.currency}): <strong className="num">{formatMoney(t.cents, t.currency)}</strong>
            </div>
          ))}
          {j.totals.length === 0 ? <div>Day total: {formatMoney(0, 'USD')}</div> : null}
        </div>
        <p className="journal-note muted">
          GL account: the account the receipt was posted with, from the ERP payment mapping in force at approval. &ldquo;{NO_GL_ACCOUNT_LABEL}&rdquo;: no mapping (or no GL account in it) applied, so the ERP booked the receipt to its own default account for the payment type.
        </p>
      </section>
    </div>
  );
}

export function JournalPrintPage({ route }: Readonly<{ route: PrintRoute }>) {
  const journal = useApiQuery('report:cashReceiptsJournal', { date: route.date });
  const [pageSize, setPageSize] = useState<'A4' | 'Letter'>('Letter');
  const ready = journal.data !== undefined;
  useEffect(() => {
    document.title = `Cash receipts journal ${route.date}`;
  }, [route.date]);
  useEffect(() => {
    // Opened from the web host's "Print journal": the browser's print dialog once the journal is on the page.
    if (ready && route.autoPrint && !window.tieoutShell) window.setTimeout(() => window.print(), 100);
  }, [ready, route.autoPrint]);
  if (journal.error) return <p className="journal-error" data-testid="journal-error">Could not build the journal: {errorMessage(journal.error)}</p>;
  if (!journal.data) return <p className="muted">Building the journal…</p>;
  return <Journal j={journal.data} pageSize={pageSize} setPageSize={setPageSize} />;
}
