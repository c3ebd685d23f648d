import type { Cell, Column, ExportRow } from './export-rows.js';

// CSV as RFC 4180 writes it: CRLF between records, a field quoted when it holds a quote, a
// comma or a line break, quotes doubled inside; and when it holds a semicolon, which
// spreadsheets in many locales take for the separator (a formula after it would start a cell). Spreadsheets run a cell that begins with
// =, +, -, @, a tab or a carriage return as a formula (OWASP, "CSV Injection"): such a text
// is written with a leading apostrophe, which the spreadsheet shows as text and a reader of
// the file can strip. Numbers are numbers, never prefixed.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",;\r\n]/;

/** Spreadsheets read a UTF-8 file as such (Arabic, Cyrillic…) only when it starts with this mark. */
export const UTF8_BOM = '\uFEFF';

export function csvCell(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell !== 'string') return String(cell);
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRecord(cells: readonly Cell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** The header record, and the HXL hashtag record under it when asked for. */
export function csvHead(columns: readonly Column[], { hxl }: { hxl: boolean }): string {
  return csvRecord(columns.map((column) => column.name)) + (hxl ? csvRecord(columns.map((column) => column.hxl)) : '');
}

export function csvRow(columns: readonly Column[], row: ExportRow): string {
  return csvRecord(columns.map((column) => row[column.name] ?? null));
}
