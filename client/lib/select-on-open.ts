/**
 * A Svelte action for a field whose text is offered to be replaced (a name
 * to give or change): focused, its text selected, as it appears.
 * `<input use:selectOnOpen bind:value={name} />`
 */
export function selectOnOpen(input: HTMLInputElement): void {
  input.focus();
  input.select();
}
