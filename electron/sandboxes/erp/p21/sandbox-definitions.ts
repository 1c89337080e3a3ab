// Transaction API v2 definition and defaults replies in the shape a real P21
// sends. The shape is taken from the public schema library of definitions
// fetched from a live 25.2 system (github.com/mrwuss/p21-api-documentation
// definitions/*.json, e.g. Customer.json, Salesrep.json):
//   {Name, Template:{TransactionSet:{Description, FieldMap, IgnoreDisabled, Name,
//    Parameters, Query, TransactionSplitMethod, Transactions:[{DataElements:[
//    {BusinessObjectName, Keys, Name, Rows:[{Edits:[{IgnoreIfEmpty, Name, Value}],
//    RelativeDateEdits}], Type}], Documents, Status}], UseCodeValues}},
//    TransactionDefinition:{DataElementDefinitions:[{BusinessObjectName,
//    DatawindowName, FieldDefinitions:[{DataType, DbColumnName, Label, Name,
//    Required, ValidValues}], KeyFields, Name, ParentText, Type}], KeyDefinitions:
//    [{Location, Name}]}}

export type SandboxField = Readonly<{ name: string; dataType?: string; db?: string; label?: string; required?: boolean; validValues?: readonly string[] | null }>;

export type SandboxElement = Readonly<{
  name: string;
  type: 'Form' | 'List';
  keys?: readonly string[];
  datawindow: string;
  parentText: string;
  businessObject?: string;
  fields: readonly SandboxField[];
}>;

export type SandboxService = Readonly<{ name: string; elements: readonly SandboxElement[] }>;

function templateElement(e: SandboxElement, values: Readonly<Record<string, string>> = {}) {
  return {
    BusinessObjectName: null,
    Keys: [...(e.keys ?? [])],
    Name: e.name,
    Rows: [{ Edits: e.fields.map((f) => ({ IgnoreIfEmpty: true, Name: f.name, Value: values[f.name] ?? '' })), RelativeDateEdits: [] }],
    Type: e.type,
  };
}

function transactionSet(s: SandboxService, values?: Readonly<Record<string, string>>) {
  return {
    Description: null,
    FieldMap: [],
    IgnoreDisabled: false,
    Name: s.name,
    Parameters: null,
    Query: null,
    TransactionSplitMethod: 0,
    Transactions: [{ DataElements: s.elements.map((e) => templateElement(e, values)), Documents: null, Status: 'New' }],
    UseCodeValues: false,
  };
}

/** GET /api/v2/definition/{service}: Template and TransactionDefinition together. */
export function definitionReply(s: SandboxService): Record<string, unknown> {
  const first = s.elements[0];
  const tab = (name: string) => name.split('.')[1] ?? name;
  return {
    Name: s.name,
    Template: { TransactionSet: transactionSet(s) },
    TransactionDefinition: {
      DataElementDefinitions: s.elements.map((e) => ({
        BusinessObjectName: e.businessObject ?? '',
        DatawindowName: e.datawindow,
        FieldDefinitions: e.fields.map((f) => ({
          DataType: f.dataType ?? 'Char',
          DbColumnName: f.db ?? f.name,
          Label: f.label ?? '',
          Name: f.name,
          Required: f.required ?? false,
          ValidValues: f.validValues ?? null,
        })),
        KeyFields: [...(e.keys ?? [])],
        Name: e.name,
        ParentText: e.parentText,
        Type: e.type,
      })),
      KeyDefinitions: first ? (first.keys ?? []).map((k) => ({ Location: tab(first.name), Name: k })) : [],
    },
  };
}

/**
 * GET /api/v2/defaults/{service}: "the service's default values and a payload
 * template you can fill in and post back" [P3 latest]. The exact shape is not
 * published; the sandbox answers the TransactionSet with its defaults filled in.
 */
export function defaultsReply(s: SandboxService, values: Readonly<Record<string, string>>): Record<string, unknown> {
  return transactionSet(s, values);
}

/** Services a real P21 lists beside the receipt ones; each answers a real-shaped definition (names from the public 25.2 definitions). */
export const LISTED_SERVICES: readonly SandboxService[] = [
  {
    name: 'Customer',
    elements: [
      {
        name: 'TABPAGE_1.tp_1_dw_1',
        type: 'Form',
        keys: ['company_id', 'customer_id'],
        datawindow: 'd_customer_master',
        parentText: 'Customer',
        businessObject: 'customer',
        fields: [
          { name: 'company_id', db: 'customer.company_id', label: 'Company', required: true },
          { name: 'customer_id', dataType: 'Decimal', db: 'customer.customer_id', label: 'Customer ID', required: true },
          { name: 'customer_name', db: 'customer.customer_name', label: 'Name', required: true },
          { name: 'terms_id', db: 'customer.terms_id', label: 'Terms' },
          { name: 'delete_flag', db: 'customer.delete_flag', label: 'Delete', validValues: ['ON', 'OFF'] },
        ],
      },
      {
        name: 'TABPAGE_2.tp_2_dw_2',
        type: 'Form',
        datawindow: 'd_customer_accounts',
        parentText: 'Accounts',
        businessObject: 'customer',
        fields: [
          { name: 'ar_account_no', db: 'customer.ar_account_no', label: 'A/R Account' },
          { name: 'allowed_account_no', db: 'customer.allowed_account_no', label: 'Allowed Account' },
          { name: 'terms_account_no', db: 'customer.terms_account_no', label: 'Terms Account' },
        ],
      },
    ],
  },
  {
    name: 'Order',
    elements: [
      {
        name: 'TABPAGE_1.order',
        type: 'Form',
        keys: ['order_no'],
        datawindow: 'd_oe_header',
        parentText: 'Order',
        businessObject: 'oe_hdr',
        fields: [
          { name: 'order_no', db: 'oe_hdr.order_no', label: 'Order No' },
          { name: 'customer_id', dataType: 'Decimal', db: 'oe_hdr.customer_id', label: 'Customer ID', required: true },
          { name: 'po_no', db: 'oe_hdr.po_no', label: 'PO No' },
        ],
      },
      {
        name: 'TP_ITEMS.items',
        type: 'List',
        datawindow: 'd_oe_line',
        parentText: 'Items',
        businessObject: 'oe_line',
        fields: [
          { name: 'oe_order_item_id', label: 'Item ID', required: true },
          { name: 'unit_quantity', dataType: 'Decimal', label: 'Quantity', required: true },
        ],
      },
    ],
  },
  {
    name: 'Invoice',
    elements: [
      {
        name: 'TABPAGE_1.tp_1_dw_1',
        type: 'Form',
        keys: ['invoice_no'],
        datawindow: 'd_invoice_hdr',
        parentText: 'Invoice',
        businessObject: 'invoice_hdr',
        fields: [
          { name: 'invoice_no', db: 'invoice_hdr.invoice_no', label: 'Invoice No' },
          { name: 'customer_id', dataType: 'Decimal', db: 'invoice_hdr.customer_id', label: 'Customer ID', required: true },
        ],
      },
    ],
  },
];
