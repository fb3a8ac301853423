import { getContext, setContext } from "svelte";
import type { EditorState } from "./editor.svelte.ts";

const EDITOR = Symbol("editor");

export function setEditor(editor: EditorState): EditorState {
  return setContext(EDITOR, editor);
}

export function getEditor(): EditorState {
  const editor = getContext<EditorState | undefined>(EDITOR);
  if (!editor) throw new Error("getEditor() outside an editor page");
  return editor;
}
