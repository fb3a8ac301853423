/**
 * A CSV reader for the files people export from Excel, Google Sheets and
 * CRMs: comma, semicolon, tab or pipe separated (detected), RFC 4180 quoting
 * (separators, `""` and line breaks inside quotes), UTF-8 with or without
 * BOM, LF, CRLF or CR line ends, blank lines skipped.
 *
 * Ours rather than papaparse's because an import must name the *line* of
 * every bad row, and a quoted cell with a line break makes record numbers
 * and line numbers drift apart; this reader counts lines as it goes, in one
 * pass over the characters, with no regex and no per-character allocation.
 */

/** The separators we recognise, in the order a tie is broken. */
export const DELIMITERS = [",", ";", "\t", "|"] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** A CSV file as rows of cells. */
export interface CsvTable {
  delimiter: Delimiter;
  /** The header row's cells, trimmed; empty or repeated names made unique ("column 3", "Omzet (2)"). */
  headers: string[];
  /** Data rows (blank ones skipped), each as read: shorter or longer than `headers` when the file is ragged. */
  rows: string[][];
  /** Line (from 1, the header's line counted) on which each row starts. */
  lines: number[];
  /** Line of the header row. */
  headerLine: number;
  /** Rows the reader itself could not make sense of (an unclosed quote), by line. */
  errors: { line: number; reason: string }[];
}

const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

interface Records {
  rows: string[][];
  lines: number[];
  errors: { line: number; reason: string }[];
}

/**
 * Splits `text` into records. Blank records (no cell with anything but
 * spaces in it) are dropped. Stops after `max` records.
 */
function records(text: string, delimiter: number, max: number): Records {
  const rows: string[][] = [];
  const lines: number[] = [];
  const errors: { line: number; reason: string }[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n && rows.length < max) {
    const startLine = line;
    const row: string[] = [];
    let blank = true;
    // One record: cells until an unquoted line end or the end of the text.
    for (;;) {
      let cell: string;
      if (text.charCodeAt(i) === QUOTE) {
        // Quoted cell: `""` is a quote; anything after the closing quote up
        // to the separator is kept as typed (lenient, like spreadsheets).
        let out = "";
        let from = i + 1;
        let j = from;
        let closed = false;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === QUOTE) {
            if (text.charCodeAt(j + 1) === QUOTE) {
              out += text.slice(from, j + 1);
              j += 2;
              from = j;
              continue;
            }
            closed = true;
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(j + 1) !== LF)) line++;
          j++;
        }
        out += text.slice(from, j);
        if (!closed) {
          errors.push({
            line: startLine,
            reason: "a quote opened on this line is never closed, so the rest of the file was read as one cell",
          });
          i = n;
          cell = out;
        } else {
          j++;
          const tail = j;
          while (j < n) {
            const c = text.charCodeAt(j);
            if (c === delimiter || c === LF || c === CR) break;
            j++;
          }
          if (j > tail) out += text.slice(tail, j);
          i = j;
          cell = out;
        }
        blank = false;
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === delimiter || c === LF || c === CR) break;
          j++;
        }
        cell = text.slice(i, j);
        if (blank && j > i && !isBlank(text, i, j)) blank = false;
        i = j;
      }
      row.push(cell);
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === delimiter) {
        i++;
        if (i >= n) {
          row.push("");
          break;
        }
        continue;
      }
      // Line end: CRLF, LF or a lone CR.
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }
    if (!blank) {
      rows.push(row);
      lines.push(startLine);
    }
  }
  return { rows, lines, errors };
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

/**
 * The separator that splits the first rows most consistently: the header
 * must have at least two cells, and the most rows with as many cells as the
 * header wins; then the one giving more columns. A `;` file with decimal
 * commas (`-6,2001`) has no comma in its header, so the comma never wins it.
 */
export function detectDelimiter(text: string): Delimiter {
  const truncated = text.length > 65_536;
  const sample = truncated ? text.slice(0, 65_536) : text;
  let best: Delimiter = ",";
  let bestScore = -1;
  let bestWidth = 0;
  for (const d of DELIMITERS) {
    const { rows } = records(sample, d.charCodeAt(0), 21);
    const width = rows[0]?.length ?? 0;
    if (width < 2) continue;
    // The last row of a cut sample may be cut too: leave it out.
    const data = rows.slice(1, truncated && rows.length < 21 ? -1 : undefined);
    let same = 0;
    for (const r of data) if (r.length === width) same++;
    const score = data.length ? same / data.length : 1;
    if (score > bestScore || (score === bestScore && width > bestWidth)) {
      best = d;
      bestScore = score;
      bestWidth = width;
    }
  }
  return best;
}

/**
 * Reads a CSV file: the first non-blank line is the header.
 *
 * @example
 * readCsv('\uFEFFkode;nama\r\nA1;"Toko; ""Maju"""\r\n').rows // [["A1", 'Toko; "Maju"']]
 */
export function readCsv(text: string, opts: { delimiter?: Delimiter; maxRows?: number } = {}): CsvTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const delimiter = opts.delimiter ?? detectDelimiter(body);
  const max = opts.maxRows === undefined ? Number.POSITIVE_INFINITY : opts.maxRows + 1;
  const r = records(body, delimiter.charCodeAt(0), max);
  const header = r.rows.shift() ?? [];
  const headerLine = r.lines.shift() ?? 1;
  return { delimiter, headers: uniqueHeaders(header), rows: r.rows, lines: r.lines, headerLine, errors: r.errors };
}

function uniqueHeaders(cells: string[]): string[] {
  // Excel leaves trailing separators on the header line: drop empty trailing names.
  let end = cells.length;
  while (end > 0 && (cells[end - 1] as string).trim() === "") end--;
  const seen = new Set<string>();
  const out: string[] = [];
  for (let k = 0; k < end; k++) {
    let name = (cells[k] as string).trim() || `column ${k + 1}`;
    if (seen.has(name)) {
      let copy = 2;
      while (seen.has(`${name} (${copy})`)) copy++;
      name = `${name} (${copy})`;
    }
    seen.add(name);
    out.push(name);
  }
  return out;
}
