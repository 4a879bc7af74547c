/**
 * How benchmark results are shown: a fixed-width table on the console, the same table in Markdown,
 * and the script's own section of `bench/RESULTS.md` rewritten in place (other sections untouched).
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export const RESULTS_FILE = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

export interface Table {
  columns: string[];
  rows: string[][];
}

export function consoleTable({ columns, rows }: Table): string {
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable({ columns, rows }: Table): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [`| ${columns.map(escape).join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)].join(
    '\n',
  );
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** Date, machine and commit: what a reader needs to compare two runs of a benchmark. */
export function provenance(): string {
  const cores = cpus();
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  // Benchmarks usually run on work in progress; say so rather than credit the numbers to HEAD alone.
  const dirty = git(['status', '--porcelain']) ? ' + uncommitted changes' : '';
  return [
    `- date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `- machine: ${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, ${process.platform}`,
    `- node: ${process.version}`,
    `- commit: ${commit}${dirty}`,
  ].join('\n');
}

const marker = (name: string, edge: 'start' | 'end') => `<!-- ${name}:${edge} -->`;

/** Replaces the section between this script's markers, or appends it, keeping everything else. */
export async function writeSection(name: string, markdown: string): Promise<void> {
  const current = await readFile(RESULTS_FILE, 'utf8').catch(() => '# Benchmark results\n');
  const start = marker(name, 'start');
  const end = marker(name, 'end');
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from !== -1 && to > from ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}` : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(RESULTS_FILE, next);
}

export const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `GET /v1.svc/users/:id` → `GET /users/:id`: vendor prefixes add nothing to a table. */
export const shortRoute = (route: string) => route.replace(/(GET|HEAD|POST|PUT|DELETE) \/(v1\.svc|api\/gateway\.php\/:company\/v1|api\/v1)/, '$1 ');
