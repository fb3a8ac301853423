/** The REST API, as the client uses it. Errors carry the server's sentence. */

export interface PlanInfo {
  id: string;
  name: string;
  createdAt?: string | number;
}

export interface CreatedPlan {
  id: string;
  name: string;
  links: { edit: string; comment: string; view: string };
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init: RequestInit & { token?: string | null } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  if (init.body !== undefined && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiError("the server cannot be reached", 0);
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy error page); fall through to the status line.
  }
  if (!res.ok) {
    const message =
      typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string"
        ? (body as { error: string }).error
        : `${res.status} ${res.statusText}`;
    throw new ApiError(message, res.status);
  }
  return body as T;
}

export function createPlan(name: string): Promise<CreatedPlan> {
  return request<CreatedPlan>("/api/plans", { method: "POST", body: JSON.stringify(name ? { name } : {}) });
}

export function getPlan(id: string, token: string | null): Promise<PlanInfo> {
  return request<PlanInfo>(`/api/plans/${encodeURIComponent(id)}`, { token });
}

/** The plan's accounts as GeoJSON points (`version` at the top level). Large: pass a signal to cancel. */
export function getAccounts(id: string, token: string | null, signal?: AbortSignal): Promise<unknown> {
  return request<unknown>(`/api/plans/${encodeURIComponent(id)}/accounts`, { token, signal });
}

/** The plan's current analysis (no per-account assignment); 503 when the server does not score. */
export function getAnalysis(id: string, token: string | null): Promise<unknown> {
  return request<unknown>(`/api/plans/${encodeURIComponent(id)}/analysis`, { token });
}
