/**
 * A CSV writer for exports a CRM or a spreadsheet reads back: RFC 4180
 * quoting (a cell holding the separator, a quote, a line break or leading or
 * trailing spaces is quoted, quotes doubled), CRLF between records, numbers
 * written the way JavaScript prints them (a dot as decimal separator, no
 * thousands separator, no float noise beyond what the number holds).
 *
 * No byte-order mark by default: CRM imports, scripts and most CSV parsers
 * read the mark as part of the first column's name. Excel on Windows needs it
 * to read UTF-8 (without it "Cilacap – Selatan" comes out as mojibake), so
 * the API adds it on request (`?bom=1`).
 *
 * Text that a spreadsheet would run as a formula (a cell starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return: `=HYPERLINK(…)`, `@SUM(…)`,
 * `-2+3+cmd|…`) is written with a single quote in front, as OWASP's "CSV
 * injection" advice says, so Excel, LibreOffice and Google Sheets show it
 * as text. Numbers are numbers, not text: `-2.5` (a number, or text that is
 * only a number) is written as it is.
 *
 * The inverse is shared/accounts/csv.ts's `readCsv` (a neutralised cell
 * reads back with its quote).
 */

/** What a cell may hold: text, a number, or nothing (an empty cell). */
export type CsvCell = string | number | boolean | null | undefined;

export interface CsvOptions {
  /** Cell separator; default `,`. */
  delimiter?: "," | ";" | "\t";
  /** Start with a UTF-8 byte-order mark (U+FEFF), for Excel. Default false. */
  bom?: boolean;
}

/** U+FEFF: encoded as UTF-8 it is the three bytes EF BB BF Excel looks for. */
export const BOM = "\uFEFF";

/**
 * One cell as CSV text.
 *
 * @example csvCell('Warung "Sari", Bandung') // '"Warung ""Sari"", Bandung"'
 * @example csvCell(106.8) // "106.8"
 */
export function csvCell(value: CsvCell, delimiter = ","): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = neutralise(String(value));
  if (needsQuotes(text, delimiter)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number, which no spreadsheet runs as a formula. */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Text a spreadsheet would run as a formula, with a single quote in front;
 * anything else unchanged.
 *
 * @example neutralise("=HYPERLINK(\"http://evil\")") // "'=HYPERLINK(\"http://evil\")"
 * @example neutralise("-2.5") // "-2.5"
 */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

function needsQuotes(text: string, delimiter: string): boolean {
  if (text.length === 0) return false;
  if (text.includes(delimiter) || text.includes('"') || text.includes("\n") || text.includes("\r")) return true;
  // Readers that trim would lose the spaces; quoted, they are kept.
  return text.charCodeAt(0) === 32 || text.charCodeAt(text.length - 1) === 32;
}

/**
 * A whole table: the header, then the rows, each record ended by CRLF.
 *
 * @example toCsv(["id", "name"], [["A1", "Toko, Maju"]]) // 'id,name\r\nA1,"Toko, Maju"\r\n'
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>, opts: CsvOptions = {}): string {
  const d = opts.delimiter ?? ",";
  const parts: string[] = [];
  if (opts.bom) parts.push(BOM);
  parts.push(csvRow(header, d));
  for (const row of rows) parts.push(csvRow(row, d));
  return parts.join("");
}

/** One record, CRLF included. */
export function csvRow(row: readonly CsvCell[], delimiter: "," | ";" | "\t" = ","): string {
  let line = "";
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += delimiter;
    line += csvCell(row[i], delimiter);
  }
  return `${line}\r\n`;
}
