import { describe, expect, it } from "vitest";
import { initials } from "./initials.ts";

describe("avatar initials", () => {
  it("take the first letters of the first and last words", () => {
    expect(initials("Siti Rahma")).toBe("SR");
    expect(initials("Ani Dewi Lestari")).toBe("AL");
    expect(initials("  budi ")).toBe("B");
    expect(initials("Élodie Ørsted")).toBe("ÉØ");
  });

  it("use letters only and leave bracketed notes out (issue 10)", () => {
    expect(initials("Rina (newcomer)")).toBe("R");
    expect(initials("Pak Hadi (Head of Sales)")).toBe("PH");
    expect(initials("Budi (Sales")).toBe("B");
    expect(initials("Dewi [QA] Lestari")).toBe("DL");
    expect(initials("“Joko” Widodo")).toBe("JW");
    expect(initials("Moh. Syaiful")).toBe("MS");
    expect(initials("Tim 2 - Jakarta")).toBe("TJ");
  });

  it("fall back to ? without a letter", () => {
    expect(initials("")).toBe("?");
    expect(initials("(guest)")).toBe("?");
    expect(initials("123")).toBe("?");
  });
});
