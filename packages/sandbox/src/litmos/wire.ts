/**
 * How Litmos's WCF service puts records on the wire, and reads them back. Responses are XML unless
 * the caller asks for JSON; both keep the DataContract member order, JSON escapes `/` as `\/`,
 * DateTime members become `\/Date(ms)\/` in JSON, nulls are `i:nil` in XML, and successful writes
 * often answer with no body and no Content-Type at all (all as recorded from the real service).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { SimResponse } from '../kit.js';

/** A decimal printed with a fixed number of places (`"Price":0.00`), as .NET prints `decimal`. */
export class Decimal {
  constructor(readonly text: string) {}
}

/** A .NET DateTime member: `\/Date(ms)\/` in JSON, `2019-05-06T01:12:35.990` in XML. */
export class Instant {
  constructor(readonly ms: number) {}
}

export type WireScalar = string | number | boolean | null | Decimal | Instant;
/** A DataContract instance; its keys are PascalCase and in member order (JS keeps insertion order). */
export type WireRecord = Record<string, WireScalar>;

export type Format = 'json' | 'xml';

const XMLNS_I = 'http://www.w3.org/2001/XMLSchema-instance';
const IIS_HEADERS = { Server: 'Microsoft-IIS/7.5', 'X-Powered-By': 'ASP.NET' } as const;

/** Case-insensitive query lookup: WCF's UriTemplate matches parameter names regardless of case. */
export function queryParam(query: URLSearchParams, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function responseFormat(query: URLSearchParams, accept: string | undefined): Format {
  const format = queryParam(query, 'format')?.toLowerCase();
  if (format === 'json' || format === 'xml') return format;
  return accept?.includes('application/json') ? 'json' : 'xml';
}

function jsonScalar(value: WireScalar): string {
  if (value instanceof Decimal) return value.text;
  if (value instanceof Instant) return `"\\/Date(${value.ms})\\/"`;
  // WCF's JSON writer escapes every solidus; clients that compare raw text see `https:\/\/`.
  return JSON.stringify(value).replace(/\//g, '\\/');
}

export function toJson(value: WireRecord | WireRecord[]): string {
  const record = (r: WireRecord) =>
    `{${Object.entries(r)
      .map(([key, member]) => `"${key}":${jsonScalar(member)}`)
      .join(',')}}`;
  return Array.isArray(value) ? `[${value.map(record).join(',')}]` : record(value);
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** .NET's xs:dateTime for an unspecified-kind DateTime: no zone, milliseconds kept. */
export function xmlDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}

function xmlMember(name: string, value: WireScalar): string {
  if (value === null) return `<${name} i:nil="true"/>`;
  const text = value instanceof Decimal ? value.text : value instanceof Instant ? xmlDateTime(value.ms) : String(value);
  return text === '' ? `<${name}/>` : `<${name}>${escapeXml(text)}</${name}>`;
}

const xmlRecord = (element: string, r: WireRecord, attributes = '') =>
  `<${element}${attributes}>${Object.entries(r)
    .map(([key, member]) => xmlMember(key, member))
    .join('')}</${element}>`;

/** A single record as its own root (`<User xmlns:i=…>`) or a collection (`<Users xmlns:i=…><User>…`). */
export function toXml(value: WireRecord | WireRecord[], element: string, collection: string): string {
  const ns = ` xmlns:i="${XMLNS_I}"`;
  if (!Array.isArray(value)) return xmlRecord(element, value, ns);
  if (value.length === 0) return `<${collection}${ns}/>`;
  return `<${collection}${ns}>${value.map((r) => xmlRecord(element, r)).join('')}</${collection}>`;
}

export interface Shape {
  /** Element name of one record, e.g. `User`. */
  element: string;
  /** Root element of a list, e.g. `Users`. */
  collection: string;
}

export function ok(format: Format, status: 200 | 201, value: WireRecord | WireRecord[], shape: Shape): SimResponse {
  const body = format === 'json' ? toJson(value) : toXml(value, shape.element, shape.collection);
  return {
    status,
    statusText: status === 201 ? 'Created' : 'OK',
    headers: { ...IIS_HEADERS, 'Content-Type': `application/${format}; charset=utf-8` },
    body,
  };
}

/** The recorded shape of a successful write that returns nothing: no Content-Type, Content-Length 0. */
export function empty(status: 200 | 201): SimResponse {
  return { status, statusText: status === 201 ? 'Created' : 'OK', headers: { ...IIS_HEADERS } };
}

/**
 * Litmos puts its error text in the status line and in a `Detail` body
 * (recorded: `409 UserName already exists`, `{"Detail":"UserName already exists"}`, and a JSON
 * Content-Type without charset).
 */
export function fault(format: Format, status: number, detail: string): SimResponse {
  const body = format === 'json' ? JSON.stringify({ Detail: detail }) : toXml({ Detail: detail }, 'Error', 'Errors');
  return { status, statusText: detail, headers: { ...IIS_HEADERS, 'Content-Type': `application/${format}` }, body };
}

/** What HTTP.SYS answers when IIS sheds load: an HTML page, no Retry-After. */
export function serviceUnavailable(): SimResponse {
  return {
    status: 503,
    statusText: 'Service Unavailable',
    headers: { 'Content-Type': 'text/html; charset=us-ascii', Server: 'Microsoft-HTTPAPI/2.0' },
    body:
      '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n' +
      '<HTML><HEAD><TITLE>Service Unavailable</TITLE>\r\n' +
      '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n' +
      '<BODY><h2>Service Unavailable</h2>\r\n<hr><p>HTTP Error 503. The service is unavailable.</p>\r\n</BODY></HTML>\r\n',
  };
}

/** A request body that does not deserialize; the route answers 400 with `message`. */
export class BadBody extends Error {}

/**
 * An XML write whose elements break the contract's order, read strictly: WCF fails the request
 * with its 500 "Request Error" page (`requestError`), not a 400 naming the element.
 */
export class OutOfOrder extends Error {}

export type MemberKind = 'string' | 'bool' | 'int';
/** A DataContract's members in declaration order, which is also the order XML must follow. */
export type Contract = readonly (readonly [name: string, kind: MemberKind])[];
export type Members = Record<string, string | boolean | number | null>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- still honoured by fast-xml-parser 5; its replacement is configured differently
  htmlEntities: true,
});

/** fast-xml-parser's ordered form: one key naming the element (or `#text`), plus `:@` attributes. */
type OrderedNode = Record<string, unknown>;
interface XmlElement {
  name: string;
  content: OrderedNode[];
  nil: boolean;
}

function elementsOf(nodes: OrderedNode[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((key) => key !== ':@' && key !== '#text');
    if (!name || name.startsWith('?')) continue;
    const content = node[name];
    const attributes = node[':@'] as Record<string, string> | undefined;
    out.push({ name, content: Array.isArray(content) ? (content as OrderedNode[]) : [], nil: attributes?.nil === 'true' });
  }
  return out;
}

function textOf(content: OrderedNode[]): string {
  return content.map((node) => (typeof node['#text'] === 'string' ? node['#text'] : '')).join('');
}

function coerce(name: string, kind: MemberKind, value: unknown, format: Format): string | boolean | number | null {
  if (value === null) return null;
  if (kind === 'string' && typeof value === 'string') return value;
  if (kind === 'bool') {
    if (typeof value === 'boolean') return value;
    if (format === 'xml' && (value === 'true' || value === 'false')) return value === 'true';
  }
  if (kind === 'int') {
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (format === 'xml' && typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  }
  throw new BadBody(`${name}: expected ${kind}, received ${JSON.stringify(value)}`);
}

/**
 * WCF's DataContractSerializer reads XML members strictly in declaration order: an element that
 * appears after a later member has been read is skipped silently (so a misordered write loses data
 * without an error), unknown elements are ignored, and absent members keep their .NET defaults.
 * `strict` is the service as Litmos's XML clients describe it: a misordered element fails the
 * whole request instead (`OutOfOrder`).
 */
function readXmlMembers(elements: XmlElement[], contract: Contract, strict: boolean): Members {
  const members: Members = {};
  let cursor = 0;
  for (const element of elements) {
    const index = contract.findIndex(([name]) => name === element.name);
    if (index === -1) continue;
    if (index < cursor) {
      if (strict) throw new OutOfOrder(`${element.name} after ${contract[cursor - 1]?.[0] ?? ''}`);
      continue;
    }
    const [name, kind] = contract[index] ?? ['', 'string'];
    members[name] = coerce(name, kind, element.nil ? null : textOf(element.content), 'xml');
    cursor = index + 1;
  }
  return members;
}

function readJsonMembers(value: unknown, contract: Contract): Members {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined (and functions), which its lib type omits
    throw new BadBody(`expected a JSON object, received ${JSON.stringify(value)?.slice(0, 60)}`);
  }
  const members: Members = {};
  const record = value as Record<string, unknown>;
  for (const [name, kind] of contract) {
    if (name in record) members[name] = coerce(name, kind, record[name], 'json');
  }
  return members;
}

function bodyFormat(contentType: string | undefined): Format {
  if (contentType?.includes('json')) return 'json';
  if (contentType?.includes('xml')) return 'xml';
  throw new BadBody(`Content-Type must be application/json or application/xml, received ${contentType ?? 'none'}`);
}

/** The parser itself forgives broken markup; WCF does not, so validate first. */
function parseXml(body: string): OrderedNode[] {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- fast-xml-parser 5 still ships it; moving to fast-xml-validator is a dependency change of its own
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw new BadBody(`malformed XML: ${valid.err.msg}`);
  return parser.parse(body) as OrderedNode[];
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new BadBody(`malformed JSON: ${body.slice(0, 60)}`);
  }
}

export interface ReadOptions {
  /** XML only: an element out of `contract` order is an `OutOfOrder` error rather than skipped. @default false */
  strictOrder?: boolean;
}

/** One DataContract instance from a write body (JSON object or `<Element>` root). */
export function readRecord(body: string, contentType: string | undefined, contract: Contract, options: ReadOptions = {}): Members {
  if (bodyFormat(contentType) === 'json') return readJsonMembers(parseJson(body), contract);
  const [root] = elementsOf(parseXml(body));
  if (!root) throw new BadBody('empty XML body');
  return readXmlMembers(elementsOf(root.content), contract, options.strictOrder ?? false);
}

/** A list of instances from a write body (JSON array or `<Collection><Element>…`). */
export function readRecords(body: string, contentType: string | undefined, contract: Contract): Members[] {
  if (bodyFormat(contentType) === 'json') {
    const value = parseJson(body);
    if (!Array.isArray(value)) throw new BadBody(`expected a JSON array, received ${body.slice(0, 60)}`);
    return value.map((item) => readJsonMembers(item, contract));
  }
  const [root] = elementsOf(parseXml(body));
  if (!root) throw new BadBody('empty XML body');
  return elementsOf(root.content).map((item) => readXmlMembers(elementsOf(item.content), contract, false));
}

/**
 * WCF's answer to a request it failed on (recorded: python-litmos-api `module_complete_3`): a 500
 * with an HTML page. Litmos sends it now and then on any route, sometimes after the write was made.
 */
export function requestError(): SimResponse {
  return {
    status: 500,
    statusText: 'The server encountered an error processing the request. Please see the server logs for more details.',
    headers: { ...IIS_HEADERS, 'Content-Type': 'text/html' },
    body:
      '<html version="-//W3C//DTD XHTML 2.0//EN" xml:lang="en" xmlns="http://www.w3.org/1999/xhtml"><HEAD><TITLE>Request Error</TITLE></HEAD>' +
      '<BODY><DIV id="content"><P class="heading1"><B>Error Status Code:</B> \'InternalServerError\'</P><P><B>Details: </B>The server ' +
      'encountered an error processing the request. Please see the server logs for more details.</P></DIV></BODY></html>',
  };
}
