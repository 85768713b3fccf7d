// Pieces several pages share: problem display, photo images, the gallery grid, the tag input.
import { api } from "./api.js";
import { h, clear } from "./dom.js";
import { thumbHashToDataURL } from "./vendor/thumbhash/thumbhash.js";

/** Show an error from its problem details (title, detail and any field errors) in `box`. */
export function showError(box, error) {
  const problem = error && error.problem ? error.problem : { title: "Error", detail: String(error && error.message ? error.message : error) };
  const fields = (Array.isArray(problem.errors) ? problem.errors : []).filter(
    (f) => !String(problem.detail).includes(f.message),
  );
  clear(
    box,
    h("p", {}, h("strong", {}, problem.title), " ", problem.detail),
    fields.length ? h("ul", {}, fields.map((f) => h("li", {}, `${f.field}: ${f.message}`))) : null,
  );
  box.hidden = false;
  box.classList.add("error");
  return box;
}

export function errorBox() {
  return h("div", { class: "error", role: "alert", hidden: true });
}

/** Run `work`; on failure show the problem in `box`. Buttons in `form` are disabled meanwhile. */
export async function guarded(box, work, form) {
  box.hidden = true;
  const buttons = form ? [...form.querySelectorAll("button")] : [];
  buttons.forEach((b) => (b.disabled = true));
  try {
    return await work();
  } catch (error) {
    showError(box, error);
    return undefined;
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

export function altText(photo) {
  const text = (photo.description || "").trim();
  if (text) return text.length > 200 ? `${text.slice(0, 197)}…` : text;
  const tags = (photo.tags || []).join(", ");
  return `Photo by ${photo.owner?.username || "someone"}${tags ? ` tagged ${tags}` : ""}`;
}

/** The image of a photo: variants as srcset when the server made them, its placeholder meanwhile. */
export function photoImage(photo, sizes) {
  const img = h("img", {
    src: photo.url,
    alt: altText(photo),
    loading: "lazy",
    decoding: "async",
    width: photo.width || null,
    height: photo.height || null,
  });
  const variants = Array.isArray(photo.variants) ? photo.variants.filter((v) => v && v.url && v.width) : [];
  if (variants.length) {
    img.srcset = variants.map((v) => `${v.url} ${v.width}w`).join(", ");
    img.sizes = sizes;
    const small = variants.find((v) => v.name === "small") || variants[0];
    img.src = small.url;
  }
  if (photo.placeholder) {
    try {
      const bytes = Uint8Array.from(atob(photo.placeholder), (c) => c.charCodeAt(0));
      img.style.backgroundImage = `url("${thumbHashToDataURL(bytes)}")`;
      img.classList.add("placeholder");
      img.addEventListener("load", () => img.classList.remove("placeholder"), { once: true });
    } catch {
      /* a placeholder that does not decode is just not shown */
    }
  }
  return img;
}

export function ratingText(rating) {
  if (!rating || rating.average === null || rating.average === undefined) return "Not rated yet";
  return `${Number(rating.average).toFixed(1)} ★ (${rating.count} rating${rating.count === 1 ? "" : "s"})`;
}

export function photoCard(photo) {
  return h(
    "li",
    { class: "card" },
    h(
      "a",
      { href: `/photos/${photo.id}`, class: "card-link" },
      photoImage(photo, "(max-width: 600px) 50vw, 240px"),
    ),
    h(
      "div",
      { class: "card-meta" },
      h("a", { href: `/u/${encodeURIComponent(photo.owner.username)}` }, photo.owner.username),
      h("span", { class: "muted" }, ratingText(photo.rating)),
    ),
  );
}

/**
 * A grid of photos from a paged endpoint, with a "Load more" button that an
 * IntersectionObserver also presses when it scrolls into view (infinite scroll).
 */
export function gallery(fetchPage, { empty = "No photos yet." } = {}) {
  const list = h("ul", { class: "grid", "aria-live": "polite" });
  const status = h("p", { class: "muted", role: "status" });
  const more = h("button", { type: "button", class: "more" }, "Load more");
  const box = errorBox();
  const root = h("section", { class: "gallery", "aria-label": "Photos" }, status, list, box, more);
  let offset = 0;
  let loading = false;
  let done = false;
  const load = async () => {
    if (loading || done) return;
    loading = true;
    more.disabled = true;
    try {
      const page = await fetchPage({ limit: 24, offset });
      for (const photo of page.items) list.append(photoCard(photo));
      offset += page.items.length;
      // Past 10,000 matches `total` is only a lower bound: keep going until a page is empty.
      done = page.items.length === 0 || (page.total_exact !== false && offset >= page.total);
      const plus = page.total_exact === false ? "+" : "";
      status.textContent = page.total ? `${page.total}${plus} photo${page.total === 1 ? "" : "s"}` : empty;
    } catch (error) {
      showError(box, error);
      done = true;
    } finally {
      loading = false;
      more.disabled = false;
      more.hidden = done;
    }
  };
  more.addEventListener("click", load);
  if ("IntersectionObserver" in window) {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && root.isConnected) load();
    }, { rootMargin: "400px" });
    observer.observe(more);
  }
  load();
  return root;
}

/** A comma-separated tags input whose suggestions come from GET /api/tags?q=. */
export function tagInput(value = "") {
  const list = h("datalist", { id: `tags-${Math.random().toString(36).slice(2)}` });
  const input = h("input", { type: "text", name: "tags", value, list: list.id, autocomplete: "off" });
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const parts = input.value.split(",");
      const prefix = parts.pop().trim().toLowerCase();
      if (!prefix) return;
      const before = parts.map((p) => p.trim()).filter(Boolean);
      try {
        const page = await api("GET", "/api/tags", { query: { q: prefix, limit: 8 } });
        clear(
          list,
          page.items.map((t) =>
            h("option", { value: [...before, t.name].join(", ") }, `${t.name} (${t.photo_count})`),
          ),
        );
      } catch {
        /* no suggestions */
      }
    }, 150);
  });
  const wrap = h("span", { class: "tag-input" }, input, list);
  wrap.input = input;
  return wrap;
}

export function tagsOf(text) {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

export function tagLinks(tags) {
  return h(
    "ul",
    { class: "tags", "aria-label": "Tags" },
    tags.map((t) => h("li", {}, h("a", { href: `/tags/${encodeURIComponent(t)}` }, `#${t}`))),
  );
}
