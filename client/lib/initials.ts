/**
 * One or two letters for a person's avatar: the first letter of their first
 * and last words. Only letters count, and a part in brackets is a note about
 * the person rather than their name (issue 10: "Rina (newcomer)" showed
 * "R(", "Pak Hadi (Head of Sales)" showed "PS").
 *
 * @example initials("Siti Rahma") // "SR"
 * @example initials("Pak Hadi (Head of Sales)") // "PH"
 * @example initials("Rina (newcomer)") // "R"
 */
export function initials(name: string): string {
  const words = name
    // A bracketed note, closed or not ("Budi (Sales", "Ani [QA]").
    .replace(/\([^)]*\)?|\[[^\]]*\]?/g, " ")
    .split(/\s+/)
    .map((word) => word.match(/\p{L}/u)?.[0] ?? "")
    .filter(Boolean);
  if (words.length === 0) return "?";
  const first = words[0] as string;
  const last = words.length > 1 ? (words[words.length - 1] as string) : "";
  return (first + last).toLocaleUpperCase();
}
