import { describe, expect, it } from "vitest";
import { en, type MessageKey } from "../i18n/en.ts";
import { format } from "../i18n/format.ts";
import { id } from "../i18n/id.ts";
import { REASONS, type VersionItem } from "./parse.ts";
import { checkpointBefore, versionTitle } from "./text.ts";

const inEnglish = (key: MessageKey, params?: Record<string, string | number>) => format(en[key], params);
const inIndonesian = (key: MessageKey, params?: Record<string, string | number>) => format(id[key], params);

function version(over: Partial<VersionItem>): VersionItem {
  return {
    id: "v",
    name: "Checkpoint",
    at: "2026-12-01T10:00:00.000Z",
    by: { id: "p", name: "Ani", role: "edit" },
    auto: true,
    reason: "edits",
    summary: "",
    bytes: null,
    restoredFrom: null,
    damaged: null,
    ...over,
  };
}

describe("version names", () => {
  it("name a checkpoint from why it was taken, in the reader's language; a named version by its name", () => {
    const imported = version({ reason: "accounts-import", name: "Before an accounts import" });
    expect(versionTitle(imported, inEnglish)).toBe("Before an accounts import");
    expect(versionTitle(imported, inIndonesian)).toBe("Sebelum impor akun");
    expect(versionTitle(version({ auto: false, reason: null, name: "Q3" }), inIndonesian)).toBe("Q3");
    const after = version({ reason: "restored", restoredFrom: "q3" });
    expect(versionTitle(after, inEnglish, (x) => (x === "q3" ? "Q3" : undefined))).toBe("After restoring “Q3”");
    expect(versionTitle(after, inEnglish)).toBe("After a restore");
  });

  it("every checkpoint reason has words in both languages", () => {
    for (const reason of REASONS.filter((r) => r !== "restored")) {
      expect(versionTitle(version({ reason }), inIndonesian)).not.toMatch(/^history\./);
      expect(versionTitle(version({ reason }), inEnglish)).not.toBe(versionTitle(version({ reason }), inIndonesian));
    }
  });
});

describe("the checkpoint before an import", () => {
  const list = [
    version({ id: "c3", reason: "accounts-import", at: "2026-12-01T12:00:00.000Z" }),
    version({ id: "e", reason: "edits", at: "2026-12-01T11:30:00.000Z" }),
    version({ id: "c2", reason: "accounts-import", at: "2026-12-01T11:00:00.000Z" }),
    version({ id: "bad", reason: "accounts-import", at: "2026-12-01T10:59:00.000Z", damaged: "checksum" }),
    version({ id: "c1", reason: "accounts-import", at: "2026-12-01T10:00:00.000Z" }),
  ];
  it("is the newest checkpoint of its kind taken no later than the import's entry", () => {
    expect(checkpointBefore(list, "accounts-import", "2026-12-01T11:00:00.500Z")?.id).toBe("c2");
    expect(checkpointBefore(list, "accounts-import", "2026-12-01T10:30:00.000Z")?.id).toBe("c1");
    expect(checkpointBefore(list, "accounts-import", null)?.id).toBe("c3");
    expect(checkpointBefore(list, "territories-replace", null)).toBeNull();
    expect(checkpointBefore(list, "accounts-import", "2026-12-01T09:00:00.000Z")).toBeNull();
  });
});
