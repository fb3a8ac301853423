/**
 * Uploads of the Data menu: the accounts and territories imports, with
 * upload progress (which only XMLHttpRequest reports: fetch has none); their
 * addresses are in data-urls.ts. Same headers as api.ts: the token as a Bearer header,
 * who is asking as X-Wilayah-Person / X-Wilayah-Name.
 */

import { identityHeaders } from "./identity-headers.ts";

/** An upload's state: sending (with how much went), or processing (all sent, the server is reading it). */
export type UploadProgress = { phase: "sending"; loaded: number; total: number } | { phase: "processing" };

/** A finished request: its status and its JSON body (null when it had none or it was not JSON). */
export interface UploadAnswer {
  status: number;
  body: unknown;
  /** The server's `error` sentence, when it gave one. */
  error: string | null;
}

export interface UploadOptions {
  token: string | null;
  contentType: string;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
}

/** Why an upload did not get an answer: the connection failed (status 0) or it was cancelled. */
export class UploadFailed extends Error {
  constructor(readonly aborted: boolean) {
    super(aborted ? "cancelled" : "network");
  }
}

/**
 * POSTs `body` and resolves with the answer whatever its status (the
 * callers read 400's bodies too); rejects with UploadFailed when there is
 * no answer. Progress: `sending` while the body goes out, `processing` once
 * it is all sent and the server reads it.
 */
export function upload(url: string, body: Blob | string, options: UploadOptions): Promise<UploadAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", options.contentType);
    if (options.token) xhr.setRequestHeader("Authorization", `Bearer ${options.token}`);
    for (const [name, value] of Object.entries(identityHeaders())) xhr.setRequestHeader(name, value);
    const size = typeof body === "string" ? body.length : body.size;
    const report = options.onProgress;
    if (report) {
      report({ phase: "sending", loaded: 0, total: size });
      xhr.upload.onprogress = (e) =>
        report({ phase: "sending", loaded: e.loaded, total: e.lengthComputable ? e.total : size });
      xhr.upload.onload = () => report({ phase: "processing" });
    }
    const onAbort = () => xhr.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    xhr.onload = () => {
      options.signal?.removeEventListener("abort", onAbort);
      let parsed: unknown = null;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // Not JSON (a proxy's error page): the status decides.
      }
      const error =
        typeof parsed === "object" && parsed !== null && typeof (parsed as { error?: unknown }).error === "string"
          ? (parsed as { error: string }).error
          : null;
      resolve({ status: xhr.status, body: parsed, error });
    };
    xhr.onerror = () => reject(new UploadFailed(false));
    xhr.onabort = () => reject(new UploadFailed(true));
    xhr.send(body);
  });
}
