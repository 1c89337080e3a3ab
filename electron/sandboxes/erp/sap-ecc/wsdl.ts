import type { RfcFieldType, RfcFunctionInterface, RfcParam, RfcStructureType } from './function-interfaces';

// WSDL 1.1 for SOAP-RFC in the layout SAP's /sap/bc/soap/wsdl11 (and the older /sap/bc/soap/wsdl)
// generate: namespace urn:sap-com:document:sap:rfc:functions (prefix s0), document/literal, per
// function module an element <FM> (importing + tables) and <FM.Response> (exporting + tables),
// messages FMInput/FMOutput with part "parameters", portType/binding/service named FMPortType,
// FMBinding, FMService, soapAction http://www.sap.com/FM. Sources: docs/erp/sap-ecc.md ("WSDL").

const RFC_NAMESPACE = 'urn:sap-com:document:sap:rfc:functions';

export type WsdlFlavor = 'wsdl11' | 'wsdl';

function simpleType(t: RfcFieldType): string {
  const restriction = (base: string, facets: string): string => `<xsd:simpleType><xsd:restriction base="xsd:${base}">${facets}</xsd:restriction></xsd:simpleType>`;
  switch (t.kind) {
    case 'CHAR': return restriction('string', `<xsd:maxLength value="${t.length}"/>`);
    case 'NUMC': return restriction('string', `<xsd:maxLength value="${t.length}"/><xsd:pattern value="\\d*"/>`);
    case 'DATS': return restriction('string', '<xsd:maxLength value="10"/><xsd:pattern value="\\d\\d\\d\\d-\\d\\d-\\d\\d"/>');
    case 'TIMS': return restriction('string', '<xsd:maxLength value="8"/><xsd:pattern value="\\d\\d:\\d\\d:\\d\\d"/>');
    case 'CURR':
    case 'DEC': return restriction('decimal', `<xsd:totalDigits value="${t.digits}"/><xsd:fractionDigits value="${t.decimals}"/>`);
    case 'INT4': return '';
  }
}

const isStructure = (t: RfcFieldType | RfcStructureType): t is RfcStructureType => 'fields' in t;

/** One element: INT4 as xsd:int, other elementary types inline, structures and tables by their named type. */
function element(name: string, type: RfcFieldType | string, minOccurs0: boolean): string {
  const min = minOccurs0 ? ' minOccurs="0"' : '';
  if (typeof type === 'string') return `<xsd:element name="${name}"${min} type="s0:${type}"/>`;
  if (type.kind === 'INT4') return `<xsd:element name="${name}"${min} type="xsd:int"/>`;
  return `<xsd:element name="${name}"${min}>${simpleType(type)}</xsd:element>`;
}

const paramElement = (param: RfcParam, minOccurs0: boolean): string => element(param.name, isStructure(param.type) ? param.type.name : param.type, minOccurs0);

/**
 * The WSDL for the named function modules (already checked to exist), with soap:address `endpoint`.
 * `wsdl11` uses xsd:sequence; the older `wsdl` service xsd:all, as the captured documents show.
 */
export function buildWsdl(functions: ReadonlyArray<readonly [string, RfcFunctionInterface]>, endpoint: string, flavor: WsdlFlavor): string {
  const group = flavor === 'wsdl11' ? 'sequence' : 'all';
  const structures = new Map<string, RfcStructureType>();
  const tableTypes = new Set<string>();
  for (const [, fi] of functions) {
    for (const param of [...(fi.importing ?? []), ...(fi.exporting ?? [])]) if (isStructure(param.type)) structures.set(param.type.name, param.type);
    for (const t of fi.tables ?? []) {
      structures.set(t.type.name, t.type);
      tableTypes.add(t.type.name);
    }
  }
  const complexTypes = [...structures.values()].map(
    (s) => `<xsd:complexType name="${s.name}"><xsd:${group}>${s.fields.map(([f, t]) => element(f, t, true)).join('')}</xsd:${group}></xsd:complexType>`,
  );
  // A table parameter is a sequence of <item> rows (what SOAP-RFC sends and reads).
  const tables = [...tableTypes].map((n) => `<xsd:complexType name="TABLE_OF_${n}"><xsd:sequence><xsd:element name="item" type="s0:${n}" minOccurs="0" maxOccurs="unbounded"/></xsd:sequence></xsd:complexType>`);
  const elements = functions.flatMap(([fm, fi]) => {
    const tablesIn = (fi.tables ?? []).map((t) => element(t.name, `TABLE_OF_${t.type.name}`, true));
    const tablesOut = (fi.tables ?? []).map((t) => element(t.name, `TABLE_OF_${t.type.name}`, false));
    return [
      `<xsd:element name="${fm}"><xsd:complexType><xsd:${group}>${[...(fi.importing ?? []).map((x) => paramElement(x, x.optional === true)), ...tablesIn].join('')}</xsd:${group}></xsd:complexType></xsd:element>`,
      `<xsd:element name="${fm}.Response"><xsd:complexType><xsd:${group}>${[...(fi.exporting ?? []).map((x) => paramElement(x, false)), ...tablesOut].join('')}</xsd:${group}></xsd:complexType></xsd:element>`,
    ];
  });
  const names = functions.map(([fm]) => fm);
  // One service per request; several function modules are several operations of one portType (SAP names it after the first).
  const service = names[0]!;
  const messages = names.map((fm) => `<message name="${fm}Input"><part name="parameters" element="s0:${fm}"/></message><message name="${fm}Output"><part name="parameters" element="s0:${fm}.Response"/></message>`);
  const operations = names.map((fm) => `<operation name="${fm}"><input message="s0:${fm}Input"/><output message="s0:${fm}Output"/></operation>`);
  const bindingOps = names.map((fm) => `<operation name="${fm}"><soap:operation soapAction="http://www.sap.com/${fm}"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>`);
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<definitions targetNamespace="${RFC_NAMESPACE}" xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:s0="${RFC_NAMESPACE}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:http="http://schemas.xmlsoap.org/wsdl/http/">`,
    `<types><xsd:schema targetNamespace="${RFC_NAMESPACE}">${[...complexTypes, ...tables, ...elements].join('')}</xsd:schema></types>`,
    ...messages,
    `<portType name="${service}PortType">${operations.join('')}</portType>`,
    `<binding name="${service}Binding" type="s0:${service}PortType"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>${bindingOps.join('')}</binding>`,
    `<service name="${service}Service"><documentation>SAP Service ${service} via SOAP</documentation><port name="${service}PortType" binding="s0:${service}Binding"><soap:address location="${escapeAttribute(endpoint)}"/></port></service>`,
    '</definitions>',
  ].join('\n');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
