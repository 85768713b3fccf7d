// Client-side routes: the same page paths the service answers with index.html (http/web.py PAGES).
import { h, clear } from "./dom.js";
import { showError, errorBox } from "./components.js";

const routes = [];
const NOT_CLIENT = /^\/(api|t|s\/[^/]+\/|images|schema|static|health)(\/|$)/;

export function route(pattern, load) {
  const keys = [];
  const regex = new RegExp(
    `^${pattern.replace(/:(\w+)/g, (_, key) => {
      keys.push(key);
      return "([^/]+)";
    })}/?$`,
  );
  routes.push({ regex, keys, load });
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render();
}

let generation = 0;

export async function render() {
  const main = document.getElementById("main");
  const url = new URL(location.href);
  const mine = ++generation;
  for (const { regex, keys, load } of routes) {
    const match = url.pathname.match(regex);
    if (!match) continue;
    const params = Object.fromEntries(keys.map((k, i) => [k, decodeURIComponent(match[i + 1])]));
    let node;
    try {
      node = await load(params, url.searchParams);
    } catch (error) {
      node = h("div", {}, h("h1", {}, "Something went wrong"), showError(errorBox(), error));
    }
    if (mine !== generation) return; // a later navigation won
    clear(main, node);
    const heading = main.querySelector("h1");
    document.title = heading ? `${heading.textContent} · PhotoShare` : "PhotoShare";
    if (render.moved) main.focus({ preventScroll: true });
    render.moved = true;
    window.scrollTo(0, 0);
    return;
  }
  clear(main, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "/" }, "Back to the newest photos")));
  document.title = "Page not found · PhotoShare";
}

/** Same-origin links to client pages navigate without a reload. */
export function start() {
  document.addEventListener("click", (event) => {
    const a = event.target.closest("a[href]");
    if (!a || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (a.target || a.hasAttribute("download")) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || NOT_CLIENT.test(url.pathname)) return;
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener("popstate", render);
  render();
}
