import { describe, expect, it } from "vitest";
import { readCsv } from "../accounts/csv.ts";
import { BOM, csvCell, csvRow, toCsv } from "./csv.ts";

describe("csvCell", () => {
  it("leaves plain text and numbers alone", () => {
    expect(csvCell("Toko Maju")).toBe("Toko Maju");
    expect(csvCell(106.8)).toBe("106.8");
    expect(csvCell(-6.2000001)).toBe("-6.2000001");
    expect(csvCell(1250000)).toBe("1250000");
    expect(csvCell(true)).toBe("true");
  });

  it("writes nothing for null, undefined and non-finite numbers", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(Number.NaN)).toBe("");
    expect(csvCell(Number.POSITIVE_INFINITY)).toBe("");
  });

  it("quotes separators, quotes, line breaks and edge spaces", () => {
    expect(csvCell("Toko, Maju")).toBe('"Toko, Maju"');
    expect(csvCell('Warung "Sari"')).toBe('"Warung ""Sari"""');
    expect(csvCell("Jl. Merdeka\nNo. 5")).toBe('"Jl. Merdeka\nNo. 5"');
    expect(csvCell("a\r\nb")).toBe('"a\r\nb"');
    expect(csvCell(" padded ")).toBe('" padded "');
  });

  it("quotes the chosen separator only", () => {
    expect(csvCell("a;b", ";")).toBe('"a;b"');
    expect(csvCell("a,b", ";")).toBe("a,b");
    expect(csvCell("a\tb", "\t")).toBe('"a\tb"');
  });
});

describe("toCsv", () => {
  it("ends every record with CRLF, BOM only on request", () => {
    expect(toCsv(["id", "name"], [["A1", "Toko"]])).toBe("id,name\r\nA1,Toko\r\n");
    expect(toCsv(["id"], [], { bom: true })).toBe(`${BOM}id\r\n`);
    expect(csvRow(["a", 1, null])).toBe("a,1,\r\n");
  });

  it("reads back cell for cell with our CSV reader", () => {
    const rows = [
      ["A1", 'Warung "Sari", Cabang 2\nBandung', "106.8", ""],
      ["A2", "Toko; Maju", "-6.2000001", "Ünïcödé – Cilacap"],
      ["A3", '"', ",", "x\r\n"],
    ];
    for (const delimiter of [",", ";", "\t"] as const) {
      const text = toCsv(["id", "name", "lon", "note"], rows, { delimiter, bom: true });
      const table = readCsv(text, { delimiter });
      expect(table.headers).toEqual(["id", "name", "lon", "note"]);
      expect(table.rows).toEqual(rows);
      expect(table.errors).toEqual([]);
    }
  });
});

describe("formulas (CSV injection)", () => {
  it("writes text a spreadsheet would run as a formula with a quote in front", () => {
    expect(csvCell('=HYPERLINK("http://evil.example","Klik")')).toBe(
      '"\'=HYPERLINK(""http://evil.example"",""Klik"")"',
    );
    expect(csvCell("@SUM(A1:A9)")).toBe("'@SUM(A1:A9)");
    expect(csvCell("-2+3+cmd|' /C calc'!A0")).toBe("'-2+3+cmd|' /C calc'!A0");
    expect(csvCell("+62 812")).toBe("'+62 812");
    expect(csvCell("\t=1+1")).toBe("'\t=1+1");
    expect(csvCell("\r=1+1")).toBe('"\'\r=1+1"');
  });

  it("leaves numbers and other text alone", () => {
    expect(csvCell(-2.5)).toBe("-2.5");
    expect(csvCell("-2.5")).toBe("-2.5");
    expect(csvCell("+1e3")).toBe("+1e3");
    expect(csvCell("Toko = Maju")).toBe("Toko = Maju");
    expect(csvCell("a-b")).toBe("a-b");
    expect(csvCell("")).toBe("");
  });
});
