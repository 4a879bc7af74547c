/**
 * `POST /reports/custom` and `GET /meta/fields`. The custom report is the bulk read every client
 * relies on, so it follows BambooHR's documented quirks exactly: the body is JSON only under the
 * exact `Content-Type: application/json` (anything else is read as XML, so JSON sent as
 * `application/json; charset=UTF-8` gets `400 Malformed XML`), unknown fields are silently left out,
 * and Active and Inactive people are both included.
 */
import type { Router, SimRequest, SimResponse } from '../kit.js';
import type { BambooHrQuirks } from '../quirks.js';
import type { FieldDef, FieldValue } from './fields.js';
import { API, MAX_FIELDS, onlyCurrent } from './employee-routes.js';
import { END_OF_TIME, viewAt, type EmployeeRecord } from './records.js';
import type { BambooHrStore } from './store.js';
import { element, failure, fieldElements, negotiate, parseXml, textOf, wireValue, xmlOk } from './wire.js';

interface Column {
  /** The field as the request named it: its alias or its id. */
  key: string;
  field: FieldDef;
}

interface ReportRequest {
  title: string;
  fields: string[];
  employeeIds?: Set<number>;
  lastChangedSinceMs?: number;
}

/** `format` wins; without it only these exact `Accept` values are understood (anything else is a 404). */
function reportFormat(req: SimRequest): 'json' | 'xml' | undefined {
  const format = req.query.get('format');
  if (format !== null) {
    const lower = format.toLowerCase();
    return lower === 'json' || lower === 'xml' ? lower : undefined;
  }
  const accept = req.headers.accept;
  return accept === 'application/json' ? 'json' : accept === 'text/xml' ? 'xml' : undefined;
}

const asIds = (values: unknown[]): Set<number> => new Set(values.map(Number).filter(Number.isInteger));

function fromJson(raw: string): ReportRequest | undefined {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!body || typeof body !== 'object') return undefined;
  const { title, fields, filters } = body as { title?: unknown; fields?: unknown; filters?: Record<string, unknown> };
  const lastChanged = filters?.lastChanged as { value?: unknown } | undefined;
  return {
    title: typeof title === 'string' ? title : '',
    fields: Array.isArray(fields) ? fields.map(String) : [],
    employeeIds: Array.isArray(filters?.employeeIds) ? asIds(filters.employeeIds) : undefined,
    lastChangedSinceMs: typeof lastChanged?.value === 'string' ? Date.parse(lastChanged.value) : undefined,
  };
}

interface XmlReport {
  report?: {
    title?: string;
    fields?: { field?: { '@id'?: string }[] };
    filters?: { employeeIds?: { employeeId?: string[] }; lastChanged?: string | { '#text'?: string } };
  };
}

function fromXml(raw: string): ReportRequest | undefined {
  const report = (parseXml(raw) as XmlReport | undefined)?.report;
  if (!report) return undefined;
  const lastChanged = report.filters?.lastChanged;
  const since = typeof lastChanged === 'string' ? lastChanged : lastChanged?.['#text'];
  const ids = report.filters?.employeeIds?.employeeId;
  return {
    title: typeof report.title === 'string' ? report.title : '',
    fields: (report.fields?.field ?? []).map((f) => f['@id'] ?? '').filter(Boolean),
    employeeIds: ids ? asIds(ids) : undefined,
    lastChangedSinceMs: since ? Date.parse(since) : undefined,
  };
}

/**
 * The last report served, with what it was built from. A sync reads the same report again and
 * again while the HR data stands still; over 100,000 people building one takes most of a second.
 */
interface CachedReport {
  key: string;
  generation: number;
  response: SimResponse;
}

function customReport(store: BambooHrStore, req: SimRequest, quirks: BambooHrQuirks, cache: { last?: CachedReport }): SimResponse {
  const format = reportFormat(req);
  if (!format) return failure(404, 'Report format not found; the sandbox serves json and xml');
  const raw = req.body.toString('utf8');
  const isJson = req.headers['content-type'] === 'application/json';
  const request = isJson ? fromJson(raw) : fromXml(raw);
  if (!request) return failure(400, isJson ? 'Malformed JSON' : 'Malformed XML');
  if (request.fields.length > MAX_FIELDS) return failure(400, `Too many fields: ${request.fields.length}, the maximum is ${MAX_FIELDS}`);

  const columns: Column[] = [];
  for (const key of new Set(request.fields)) {
    const field = store.fields.field(key);
    if (field) columns.push({ key, field });
  }
  const day = onlyCurrent(req) ? store.today : END_OF_TIME;
  // The switches change the answer, so they are part of what a cached one was built from.
  const encoding = { zeroDates: quirks.zeroDates, checkboxStrings: quirks.checkboxStrings };
  const key = JSON.stringify([
    format,
    day,
    columns.map((c) => c.key),
    request.title,
    request.employeeIds ? [...request.employeeIds] : null,
    request.lastChangedSinceMs,
    encoding,
  ]);
  // The stats tell a report over everyone from one filtered to named employees: an incremental sync must make none of the first.
  const variant = request.employeeIds ? 'employeeIds' : request.lastChangedSinceMs !== undefined ? 'lastChanged' : 'everyone';
  if (cache.last?.key === key && cache.last.generation === store.generation) return { ...cache.last.response, statsVariant: variant };
  const response = buildReport(store, request, columns, day, format, quirks);
  cache.last = { key, generation: store.generation, response };
  return { ...response, statsVariant: variant };
}

const BATCH = 2_000;

/**
 * `head` + the rows as a JSON array + `tail`, serialised a batch at a time straight into buffers:
 * the row objects die young instead of all 100,000 living until one giant `JSON.stringify`, which
 * over a full roster made the garbage collector the largest cost of a report.
 */
function jsonArrayBody<T>(head: string, items: readonly T[], rowOf: (item: T) => object, tail: string): Buffer {
  const chunks = [Buffer.from(head)];
  for (let start = 0; start < items.length; start += BATCH) {
    const batch = items.slice(start, start + BATCH).map((item) => JSON.stringify(rowOf(item)));
    chunks.push(Buffer.from((start === 0 ? '' : ',') + batch.join(',')));
  }
  chunks.push(Buffer.from(tail));
  return Buffer.concat(chunks);
}

function buildReport(
  store: BambooHrStore,
  request: ReportRequest,
  columns: Column[],
  day: string,
  format: 'json' | 'xml',
  quirks: BambooHrQuirks,
): SimResponse {
  const { employeeIds, lastChangedSinceMs } = request;
  const sinceMs = lastChangedSinceMs !== undefined && !Number.isNaN(lastChangedSinceMs) ? lastChangedSinceMs : undefined;
  const records = store.all().filter((r) => (!employeeIds || employeeIds.has(r.id)) && (sinceMs === undefined || Date.parse(r.lastChanged) >= sinceMs));

  const fields = columns.map(({ key, field }) => ({ id: key, type: field.type, name: field.name }));
  const valuesOf = (record: EmployeeRecord): [string, FieldValue][] => {
    const view = viewAt(record, day);
    return columns.map(({ key, field }) => [key, wireValue(field, field.read(view, store), record.id, quirks)]);
  };
  if (format === 'json') {
    const rowOf = (record: EmployeeRecord): Record<string, FieldValue> => ({ id: String(record.id), ...Object.fromEntries(valuesOf(record)) });
    // The document up to and including the employees array's opening bracket.
    const head = JSON.stringify({ title: request.title, fields, employees: [] }).slice(0, -2);
    return { status: 200, headers: { 'Content-Type': 'application/json' }, body: jsonArrayBody(head, records, rowOf, ']}') };
  }
  const head =
    element('title', {}, textOf(request.title)) +
    element('fields', {}, fields.map((f) => element('field', { id: f.id, type: f.type }, textOf(f.name))).join(''));
  const rows = records.map((record) => element('employee', { id: String(record.id) }, fieldElements(valuesOf(record))));
  return xmlOk(element('report', {}, head + element('employees', {}, rows.join(''))));
}

/** `quirks` is the live switch object: each request reads it afresh. */
export function reportRoutes(router: Router, store: BambooHrStore, quirks: BambooHrQuirks): Router {
  const cache: { last?: CachedReport } = {};
  return router
    .on('POST', `${API}/reports/custom`, (req) => customReport(store, req, quirks, cache))
    .on('GET', `${API}/meta/fields`, (req) => {
      const fields = store.fields.all().map(({ id, name, type, alias }) => ({ id, name, type, alias }));
      return negotiate(req, fields, () =>
        element('fields', {}, fields.map((f) => element('field', { id: String(f.id), type: f.type, alias: f.alias }, textOf(f.name))).join('')),
      );
    });
}
