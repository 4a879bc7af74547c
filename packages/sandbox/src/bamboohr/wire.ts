/**
 * BambooHR's wire habits: JSON only when asked for, XML otherwise; errors as an empty body with the
 * reason in `X-BambooHR-Error-Message`; request bodies in JSON or in BambooHR's `<field id>` XML.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { SimRequest, SimResponse } from '../kit.js';
import type { BambooHrQuirks } from '../quirks.js';
import { NO_DATE, type FieldDef, type FieldValue } from './fields.js';

/** Endpoints that "produce either JSON or XML" answer JSON only to `Accept: application/json`. */
export const wantsJson = (req: Pick<SimRequest, 'headers'>): boolean => (req.headers.accept ?? '').includes('application/json');

export function failure(status: number, message: string, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/html; charset=UTF-8', 'X-BambooHR-Error-Message': message, ...headers },
    body: '',
  };
}

/** As recorded: the message twice, and once more under a misspelt header name. */
export const employeeNotFound = (): SimResponse =>
  failure(404, 'Employee not found, Employee not found', { 'X-BambooHR-Error-Messsage': 'Employee not found, Employee not found' });

export const noContent = (status: number, headers: Record<string, string> = {}): SimResponse => ({ status, headers, body: '' });

/** Encoded once here: the kit would otherwise encode a large report twice (length, then body). */
export const jsonOk = (value: unknown): SimResponse => ({
  status: 200,
  headers: { 'Content-Type': 'application/json' },
  body: Buffer.from(JSON.stringify(value)),
});

export const xmlOk = (xml: string): SimResponse => ({
  status: 200,
  headers: { 'Content-Type': 'text/xml; charset=UTF-8' },
  body: `<?xml version="1.0"?>\n${xml}`,
});

export const negotiate = (req: SimRequest, value: unknown, toXml: () => string): SimResponse => (wantsJson(req) ? jsonOk(value) : xmlOk(toXml()));

/** The spellings a checkbox arrives in under `checkboxStrings` (checked, unchecked); which one depends on the employee. */
const CHECKBOX_SPELLINGS = [
  ['true', 'false'],
  ['Yes', 'No'],
  ['1', '0'],
] as const;

/**
 * A stored value as BambooHR writes it, with the quirks switched on now: "no date" as
 * `0000-00-00` (the recorded report) and checkboxes as strings. Off, the polite reading: `null`
 * and JSON booleans.
 */
export function wireValue(field: Pick<FieldDef, 'type'>, value: FieldValue, employeeId: number, quirks: BambooHrQuirks): FieldValue {
  if (field.type === 'date' && value === null) return quirks.zeroDates ? NO_DATE : null;
  if (field.type === 'checkbox' && typeof value === 'boolean' && quirks.checkboxStrings) {
    const [checked, unchecked] = CHECKBOX_SPELLINGS[employeeId % CHECKBOX_SPELLINGS.length] ?? CHECKBOX_SPELLINGS[0];
    return value ? checked : unchecked;
  }
  return value;
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `<name a="1">content</name>`; `content` is already XML, attribute values are escaped here. */
export function element(name: string, attrs: Record<string, string | undefined>, content = ''): string {
  const attributes = Object.entries(attrs)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  return content === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${content}</${name}>`;
}

export const textOf = (value: FieldValue): string => (value === null ? '' : escapeXml(String(value)));

/** `<field id="alias">value</field>` for each entry: BambooHR's XML shape for a flat record. */
export const fieldElements = (values: Iterable<[string, FieldValue]>): string =>
  [...values].map(([id, value]) => element('field', { id }, textOf(value))).join('');

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['field', 'employeeId'].includes(name),
});

/** A parsed XML document, or undefined when it is not well-formed. */
export function parseXml(body: string): Record<string, unknown> | undefined {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- fast-xml-parser 5 still ships it; moving to fast-xml-validator is a dependency change of its own
  if (body.trim() === '' || XMLValidator.validate(body) !== true) return undefined;
  return parser.parse(body) as Record<string, unknown>;
}

interface XmlField {
  '@id'?: string;
  '#text'?: string;
}

/** `<employee><field id="firstName">Ann</field></employee>` (any root) → `{ firstName: "Ann" }`. */
export function xmlFields(doc: Record<string, unknown>): Record<string, unknown> {
  const root = Object.entries(doc).find(([name]) => name !== '?xml')?.[1];
  const fields = (root && typeof root === 'object' ? (root as { field?: XmlField[] }).field : undefined) ?? [];
  return Object.fromEntries(fields.flatMap((f) => (f['@id'] ? [[f['@id'], f['#text'] ?? '']] : [])));
}

/**
 * A write's body: JSON when the request says so, else BambooHR's XML. Returns the error response
 * BambooHR gives when it cannot read it.
 */
export function readWriteBody(req: SimRequest): { body: Record<string, unknown> } | { refused: SimResponse } {
  const raw = req.body.toString('utf8');
  if ((req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return { body: parsed as Record<string, unknown> };
    } catch {
      // Falls through to the refusal below.
    }
    return { refused: failure(400, 'Malformed JSON') };
  }
  const doc = parseXml(raw);
  return doc ? { body: xmlFields(doc) } : { refused: failure(400, 'Malformed XML') };
}
