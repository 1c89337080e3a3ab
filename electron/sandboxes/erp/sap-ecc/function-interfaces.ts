// The interfaces (SE37 "Import / Export / Tables") of the function modules the sandbox answers,
// declared once: the WSDL the sandbox serves at /sap/bc/soap/wsdl11 is generated from them.
// Structures list the fields the sandbox fills (a subset of the DDIC structure where that is long);
// the wrapper's interface is the one docs/erp/sap-ecc.md ships.

/** An RFC elementary type as SAP's SOAP-RFC serialises it (DATS as YYYY-MM-DD, TIMS as HH:MM:SS). */
export type RfcFieldType =
  | Readonly<{ kind: 'CHAR'; length: number }>
  | Readonly<{ kind: 'NUMC'; length: number }>
  | Readonly<{ kind: 'DATS' }>
  | Readonly<{ kind: 'TIMS' }>
  | Readonly<{ kind: 'CURR' | 'DEC'; digits: number; decimals: number }>
  | Readonly<{ kind: 'INT4' }>;

export const char = (length: number): RfcFieldType => ({ kind: 'CHAR', length });
export const numc = (length: number): RfcFieldType => ({ kind: 'NUMC', length });
export const dats: RfcFieldType = { kind: 'DATS' };
export const curr = (digits: number, decimals: number): RfcFieldType => ({ kind: 'CURR', digits, decimals });
export const dec = (digits: number, decimals: number): RfcFieldType => ({ kind: 'DEC', digits, decimals });
export const int4: RfcFieldType = { kind: 'INT4' };

/** A DDIC structure: field name → type, in DDIC order. */
export type RfcStructureType = Readonly<{ name: string; fields: ReadonlyArray<readonly [string, RfcFieldType]> }>;

/** A parameter: an elementary type, a structure, or (in TABLES) rows of a structure. */
export type RfcParam = Readonly<{ name: string; type: RfcFieldType | RfcStructureType; optional?: boolean }>;

export type RfcFunctionInterface = Readonly<{
  importing?: readonly RfcParam[];
  exporting?: readonly RfcParam[];
  tables?: ReadonlyArray<Readonly<{ name: string; type: RfcStructureType; optional?: boolean }>>;
}>;

const struct = (name: string, fields: ReadonlyArray<readonly [string, RfcFieldType]>): RfcStructureType => ({ name, fields });
const p = (name: string, type: RfcFieldType | RfcStructureType, optional = false): RfcParam => ({ name, type, optional });

const MESSAGE_VARS: ReadonlyArray<readonly [string, RfcFieldType]> = [['MESSAGE_V1', char(50)], ['MESSAGE_V2', char(50)], ['MESSAGE_V3', char(50)], ['MESSAGE_V4', char(50)]];

const BAPIRET2 = struct('BAPIRET2', [
  ['TYPE', char(1)], ['ID', char(20)], ['NUMBER', numc(3)], ['MESSAGE', char(220)], ['LOG_NO', char(20)], ['LOG_MSG_NO', numc(6)],
  ...MESSAGE_VARS, ['PARAMETER', char(32)], ['ROW', int4], ['FIELD', char(30)], ['SYSTEM', char(10)],
]);
const BAPIRET1 = struct('BAPIRET1', [['TYPE', char(1)], ['ID', char(20)], ['NUMBER', numc(3)], ['MESSAGE', char(220)], ['LOG_NO', char(20)], ['LOG_MSG_NO', numc(6)], ...MESSAGE_VARS]);
const BAPIRETURN = struct('BAPIRETURN', [['TYPE', char(1)], ['CODE', char(5)], ['MESSAGE', char(220)], ['LOG_NO', char(20)], ['LOG_MSG_NO', numc(6)], ...MESSAGE_VARS]);

const BAPI3007_2 = struct('BAPI3007_2', [
  ['COMP_CODE', char(4)], ['CUSTOMER', char(10)], ['SP_GL_IND', char(1)], ['CLEAR_DATE', dats], ['CLR_DOC_NO', char(10)],
  ['ALLOC_NMBR', char(18)], ['FISC_YEAR', numc(4)], ['DOC_NO', char(10)], ['ITEM_NUM', numc(3)], ['PSTNG_DATE', dats],
  ['DOC_DATE', dats], ['CURRENCY', char(5)], ['LOC_CURRCY', char(5)], ['REF_DOC_NO', char(16)], ['DOC_TYPE', char(2)],
  ['POST_KEY', char(2)], ['DB_CR_IND', char(1)], ['LC_AMOUNT', curr(23, 4)], ['AMT_DOCCUR', curr(23, 4)], ['ITEM_TEXT', char(50)],
  ['BLINE_DATE', dats], ['PMNTTRMS', char(4)], ['DSCT_DAYS1', dec(3, 0)], ['DSCT_DAYS2', dec(3, 0)], ['NETTERMS', dec(3, 0)],
  ['DSCT_PCT1', dec(5, 3)], ['DSCT_PCT2', dec(5, 3)], ['BILL_DOC', char(10)],
]);

/** The customer line-item reads: company code and customer, their dates (key date or clearing-date range), then the flags. */
const arItemsRead = (dates: readonly RfcParam[]): RfcFunctionInterface => ({
  importing: [p('COMPANYCODE', char(4)), p('CUSTOMER', char(10)), ...dates, p('NOTEDITEMS', char(1), true), p('SECINDEX', char(1), true)],
  exporting: [p('RETURN', BAPIRETURN)],
  tables: [{ name: 'LINEITEMS', type: BAPI3007_2 }],
});

const RFCSI = struct('RFCSI', [
  ['RFCPROTO', char(3)], ['RFCCHARTYP', char(4)], ['RFCINTTYP', char(3)], ['RFCFLOTYP', char(3)], ['RFCDEST', char(32)],
  ['RFCHOST', char(8)], ['RFCSYSID', char(8)], ['RFCDATABS', char(8)], ['RFCDBHOST', char(32)], ['RFCDBSYS', char(10)],
  ['RFCSAPRL', char(4)], ['RFCMACH', char(5)], ['RFCOPSYS', char(10)], ['RFCTZONE', char(6)], ['RFCDAYST', char(1)],
  ['RFCIPADDR', char(15)], ['RFCKERNRL', char(4)], ['RFCHOST2', char(32)], ['RFCSI_RESV', char(12)], ['RFCIPV6ADDR', char(45)],
]);

const RFC_FUNINT = struct('RFC_FUNINT', [
  ['PARAMCLASS', char(1)], ['PARAMETER', char(30)], ['TABNAME', char(30)], ['FIELDNAME', char(30)], ['EXID', char(1)],
  ['POSITION', int4], ['OFFSET', int4], ['INTLENGTH', int4], ['DECIMALS', int4], ['DEFAULT', char(21)], ['PARAMTEXT', char(79)], ['OPTIONAL', char(1)],
]);

const WRAPPER_ITEM = struct('ZTIEOUT_S_ITEM', [
  ['INVOICE_REF', char(18)], ['AMT_DOCCUR', curr(23, 4)], ['ALLOC_NMBR', char(18)], ['ITEM_TEXT', char(50)],
  ['DISC_AMT', curr(23, 4)], ['WRITEOFF_AMT', curr(23, 4)], ['WRITEOFF_RSN', char(30)],
]);

/** Every function module the sandbox answers, by name; the wrapper and the customer list under their configured names. */
export function functionInterfaces(names: Readonly<{ wrapperFunction: string; customerListFunction: string }>): ReadonlyMap<string, RfcFunctionInterface> {
  const customerList: RfcFunctionInterface = {
    importing: [p('MAXROWS', int4, true), p('CPDONLY', char(1), true)],
    exporting: [p('RETURN', BAPIRET1)],
    tables: [
      { name: 'IDRANGE', type: struct('BAPICUSTOMER_IDRANGE', [['SIGN', char(1)], ['OPTION', char(2)], ['LOW', char(10)], ['HIGH', char(10)]]) },
      { name: 'ADDRESSDATA', type: struct('BAPICUSTOMER_ADDRESSDATA', [['CUSTOMER', char(10)], ['NAME', char(35)], ['CITY', char(35)], ['POSTL_COD1', char(10)], ['STREET', char(35)], ['COUNTRY', char(3)]]), optional: true },
    ],
  };
  return new Map<string, RfcFunctionInterface>([
    ['STFC_CONNECTION', { importing: [p('REQUTEXT', char(255))], exporting: [p('ECHOTEXT', char(255)), p('RESPTEXT', char(255))] }],
    ['RFC_SYSTEM_INFO', { exporting: [p('RFCSI_EXPORT', RFCSI), p('CURRENT_RESOURCES', int4), p('MAXIMAL_RESOURCES', int4), p('RECOMMENDED_DELAY', int4)] }],
    ['RFC_GET_FUNCTION_INTERFACE', {
      importing: [p('FUNCNAME', char(30)), p('LANGUAGE', char(1), true), p('NONE_UNICODE_LENGTH', char(1), true)],
      exporting: [p('REMOTE_CALL', char(1)), p('UPDATE_TASK', char(1))],
      tables: [{ name: 'PARAMS', type: RFC_FUNINT }],
    }],
    ['BAPI_CUSTOMER_GETLIST', customerList],
    [names.customerListFunction, customerList],
    ['BAPI_AR_ACC_GETOPENITEMS', arItemsRead([p('KEYDATE', dats)])],
    ['BAPI_AR_ACC_GETBALANCEDITEMS', arItemsRead([p('DATE_FROM', dats), p('DATE_TO', dats)])],
    ['BAPI_ACC_DOCUMENT_POST', {
      importing: [p('DOCUMENTHEADER', struct('BAPIACHE09', [
        ['BUS_ACT', char(4)], ['USERNAME', char(12)], ['HEADER_TXT', char(25)], ['COMP_CODE', char(4)], ['DOC_DATE', dats],
        ['PSTNG_DATE', dats], ['FISC_YEAR', numc(4)], ['DOC_TYPE', char(2)], ['REF_DOC_NO', char(16)],
      ]))],
      exporting: [p('OBJ_TYPE', char(5)), p('OBJ_KEY', char(20)), p('OBJ_SYS', char(10))],
      tables: [
        { name: 'ACCOUNTGL', type: struct('BAPIACGL09', [['ITEMNO_ACC', numc(10)], ['GL_ACCOUNT', char(10)], ['ITEM_TEXT', char(50)], ['ALLOC_NMBR', char(18)], ['COMP_CODE', char(4)]]), optional: true },
        { name: 'ACCOUNTRECEIVABLE', type: struct('BAPIACAR09', [['ITEMNO_ACC', numc(10)], ['CUSTOMER', char(10)], ['COMP_CODE', char(4)], ['ITEM_TEXT', char(50)], ['ALLOC_NMBR', char(18)]]), optional: true },
        { name: 'CURRENCYAMOUNT', type: struct('BAPIACCR09', [['ITEMNO_ACC', numc(10)], ['CURR_TYPE', char(2)], ['CURRENCY', char(5)], ['AMT_DOCCUR', dec(23, 4)]]) },
        { name: 'RETURN', type: BAPIRET2 },
      ],
    }],
    ['BAPI_TRANSACTION_COMMIT', { importing: [p('WAIT', char(1), true)], exporting: [p('RETURN', BAPIRET2)] }],
    ['BAPI_TRANSACTION_ROLLBACK', { exporting: [p('RETURN', BAPIRET2)] }],
    [names.wrapperFunction, {
      importing: [
        p('COMPANYCODE', char(4)), p('CUSTOMER', char(10)), p('DOC_TYPE', char(2)), p('DOC_DATE', dats), p('PSTNG_DATE', dats),
        p('CURRENCY', char(5)), p('REF_DOC_NO', char(16)), p('HEADER_TXT', char(25)), p('GL_ACCOUNT', char(10)), p('AMOUNT', curr(23, 4)),
        p('CLEARING_FIELD', char(30), true), p('TESTRUN', char(1), true), p('DISC_GL_ACCOUNT', char(10), true),
      ],
      exporting: [p('OBJ_TYPE', char(5)), p('OBJ_KEY', char(20)), p('OBJ_SYS', char(10)), p('BELNR', char(10)), p('GJAHR', numc(4))],
      tables: [{ name: 'ITEMS', type: WRAPPER_ITEM }, { name: 'RETURN', type: BAPIRET2 }],
    }],
  ]);
}

/** The reply's parameters in the order SAP serialises them: exporting, then tables (the WSDL's sequence). */
export function replyParameterOrder(fi: RfcFunctionInterface): readonly string[] {
  return [...(fi.exporting ?? []).map((x) => x.name), ...(fi.tables ?? []).map((t) => t.name)];
}
