// The newest photos, search with filters and sorts, and a tag's photos.
import { api } from "../api.js";
import { h, field } from "../dom.js";
import { gallery } from "../components.js";
import { navigate } from "../router.js";

const FILTERS = ["q", "tag", "min_rating", "max_rating", "created_from", "created_to", "sort"];
const SORTS = [
  ["-created_at", "Newest first"],
  ["created_at", "Oldest first"],
  ["-rating", "Best rated first"],
  ["rating", "Lowest rated first"],
];

function searchForm(query) {
  const value = (name) => query.get(name) || "";
  const rating = (name) =>
    h("input", { type: "number", name, min: 1, max: 5, step: "0.5", value: value(name), inputmode: "decimal" });
  const sort = h("select", { name: "sort" }, SORTS.map(([v, label]) => h("option", { value: v, selected: value("sort") === v }, label)));
  const form = h(
    "form",
    { class: "search", role: "search", action: "/" },
    h("div", { class: "search-main" },
      field("Search", h("input", { type: "search", name: "q", value: value("q"), placeholder: "Words in descriptions or tags" })),
      h("button", { type: "submit" }, "Search"),
    ),
    h("details", { open: FILTERS.slice(1, 6).some((f) => value(f)) || null },
      h("summary", {}, "Filters and sort"),
      h("div", { class: "filters" },
        field("Tag", h("input", { type: "text", name: "tag", value: value("tag") })),
        field("Minimum rating", rating("min_rating")),
        field("Maximum rating", rating("max_rating")),
        field("From date", h("input", { type: "date", name: "created_from", value: value("created_from") })),
        field("To date", h("input", { type: "date", name: "created_to", value: value("created_to") })),
        field("Sort", sort),
      ),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v && !(k === "sort" && v === "-created_at")) params.set(k, v);
    navigate(params.toString() ? `/?${params}` : "/");
  });
  return form;
}

export function homePage(_params, query) {
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f)]).filter(([, v]) => v));
  const searching = Object.keys(filters).length > 0;
  return h(
    "div",
    {},
    h("h1", {}, searching ? "Search results" : "Newest photos"),
    searchForm(query),
    gallery((page) => api("GET", "/api/photos", { query: { ...filters, ...page } }), {
      empty: searching ? "No photo matches." : "No photos yet: be the first to upload one.",
    }),
  );
}

export function tagPage({ tag }) {
  return h(
    "div",
    {},
    h("h1", {}, `Photos tagged #${tag}`),
    gallery((page) => api("GET", "/api/photos", { query: { tag, ...page } }), { empty: "No photos with this tag." }),
  );
}
