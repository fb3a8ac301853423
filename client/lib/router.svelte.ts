/**
 * A small router: `/`, `/plan/<id>` (the editor) and `/plan/<id>/dashboard`
 * (the leader's wall view), each plan route with its `?token=`. History API, no dependency.
 */

export type Route =
  | { name: "landing" }
  | { name: "plan"; planId: string; token: string | null }
  | { name: "wall"; planId: string; token: string | null }
  | { name: "missing" };

export function parseRoute(pathname: string, search: string): Route {
  if (pathname === "/" || pathname === "") return { name: "landing" };
  const m = /^\/plan\/([A-Za-z0-9_-]{1,64})(\/dashboard)?\/?$/.exec(pathname);
  if (m) {
    const token = new URLSearchParams(search).get("token");
    return { name: m[2] ? "wall" : "plan", planId: m[1] as string, token };
  }
  return { name: "missing" };
}

class Router {
  route = $state<Route>(parseRoute(location.pathname, location.search));

  constructor() {
    window.addEventListener("popstate", () => {
      this.route = parseRoute(location.pathname, location.search);
    });
  }

  /** Goes to a same-origin URL (`/plan/x?token=…`), keeping its query as is. */
  navigate(url: string): void {
    const u = new URL(url, location.origin);
    history.pushState(null, "", u.pathname + u.search + u.hash);
    this.route = parseRoute(u.pathname, u.search);
  }
}

export const router = new Router();
