import type { ErpDiscoveryFact } from '../connector';
import { isErpError } from '../errors';
import type { OdbcSession } from './odbc-session';
import type { Sage100Options } from './options';
import { viCommand, viCommandLine, viJobPresent } from './vi-command';

// tieout erp check against a real company: what the ODBC catalog (SQLColumns)
// says each table Tieout reads really has, next to what Tieout needs from it;
// whether the VI job exists; the company and the unattended VI command line.
// Read-only: catalog calls and file checks, never a statement that writes.

type Need = Readonly<{ table: string; columns: readonly string[]; setting?: string }>;

function needs(o: Sage100Options): Need[] {
  const out: Need[] = [
    { table: 'AR_Customer', columns: ['ARDivisionNo', 'CustomerNo', 'CustomerName', 'EmailAddress', 'TermsCode'] },
    {
      table: 'AR_OpenInvoice',
      columns: [
        'ARDivisionNo', 'CustomerNo', 'InvoiceNo', 'InvoiceType', 'InvoiceDate', 'InvoiceDueDate', 'Balance',
        ...o.invoiceAmountColumns,
        ...(o.poNumberColumn ? [o.poNumberColumn] : []),
        ...(o.invoiceTermsColumn ? [o.invoiceTermsColumn] : []),
      ],
      setting: 'invoiceAmountColumns, poNumberColumn, invoiceTermsColumn',
    },
    { table: 'AR_CashReceiptsHistory', columns: ['DepositNo', 'DepositDate', 'CustomerNo', 'InvoiceNo', 'InvoiceType', 'CashAmountApplied', 'CheckNo'] },
  ];
  if (o.termsTable) out.push({ table: o.termsTable, columns: ['TermsCode', 'DaysBeforeDue', 'DaysBeforeDiscountDue', 'DiscountRate'], setting: 'termsTable' });
  if (o.unpostedDetailTable) out.push({ table: o.unpostedDetailTable, columns: ['DepositNo', 'CustomerNo', 'CheckNo', 'InvoiceNo', 'AmountPosted'], setting: 'unpostedDetailTable' });
  return out;
}

function companyOf(connectionString: string, options: Sage100Options): string {
  const m = /(?:^|;)\s*Company\s*=\s*([^;]*)/i.exec(connectionString);
  return (m?.[1] ?? '').trim() || options.companyCode;
}

export async function discoverSage100(session: OdbcSession, options: Sage100Options, connectionString: string, user: string): Promise<ErpDiscoveryFact[]> {
  const facts: ErpDiscoveryFact[] = [];
  const company = companyOf(connectionString, options);
  facts.push(company ? { name: 'company', value: company, setting: 'companyCode' } : { name: 'company', value: 'not named in the connection string (Company=) nor in companyCode', setting: 'companyCode', ok: false });

  for (const need of needs(options)) {
    let present: string[];
    try {
      present = await session.columns(need.table);
    } catch (e) {
      facts.push({ name: `columns ${need.table}`, value: `catalog read failed: ${isErpError(e) ? e.message : String(e)}`, ok: false });
      continue;
    }
    if (present.length === 0) {
      facts.push({ name: `columns ${need.table}`, value: 'table not in the ODBC catalog', ...(need.setting ? { setting: need.setting } : {}), ok: false });
      continue;
    }
    const have = new Set(present.map((c) => c.toLowerCase()));
    const missing = need.columns.filter((c) => !have.has(c.toLowerCase()));
    facts.push(
      missing.length === 0
        ? { name: `columns ${need.table}`, value: `${need.columns.length} needed of ${present.length}: ${need.columns.join(', ')}` }
        : { name: `columns ${need.table}`, value: `missing ${missing.join(', ')} (has ${present.join(', ')})`, ...(need.setting ? { setting: need.setting } : {}), ok: false },
    );
  }

  const job = viJobPresent(options);
  if (job === null) {
    facts.push({ name: 'VI job', value: 'not checked: set sageHomeFolder and viJobProgram', setting: 'viJobProgram', ok: false });
  } else {
    facts.push({ name: 'VI job', value: job ? `${options.viJobProgram} found in MAS90\\VI` : `${options.viJobProgram} not found beside ${options.sageHomeFolder}`, setting: 'viJobProgram', ...(job ? {} : { ok: false }) });
  }
  const command = viCommand(options, user);
  facts.push(
    command
      ? { name: 'VI command line', value: viCommandLine(command), setting: 'sageHomeFolder, viJobProgram, companyCode' }
      : { name: 'VI command line', value: 'set sageHomeFolder, viJobProgram and companyCode to generate it', setting: 'sageHomeFolder, viJobProgram, companyCode', ok: false },
  );
  return facts;
}
