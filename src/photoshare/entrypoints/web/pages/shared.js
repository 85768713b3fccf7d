// The page a share link opens (/s/{slug}): the shared photo or album, asking for the password first
// when the share has one. The link is the permission; nothing here needs an account.
import { api } from "../api.js";
import { h, clear, field, time } from "../dom.js";
import { errorBox, guarded, photoImage, showError, tagLinks } from "../components.js";

export function sharedPage({ slug }) {
  const root = h("div", {}, h("h1", {}, "Shared with you"));
  const body = h("div", {});
  const box = errorBox();
  root.append(body, box);
  const open = async (password) => {
    const headers = password ? { "X-Share-Password": password } : {};
    const shared = await api("GET", `/api/shared/${encodeURIComponent(slug)}`, { headers, query: { limit: 100 }, anonymous: true });
    clear(body, shared.kind === "album" ? albumView(shared) : photoView(shared.photo), shared.expires_at ? h("p", { class: "muted" }, "This link expires ", time(shared.expires_at)) : null);
  };
  open().catch((error) => {
    if (error.status === 401 && error.problem.password_required) clear(body, passwordForm(open));
    else showError(box, error);
  });
  return root;
}

function passwordForm(open) {
  const box = errorBox();
  const password = h("input", { type: "password", name: "password", required: true, autocomplete: "off" });
  const form = h("form", { class: "stack narrow" }, h("p", {}, "This link is protected by a password."), field("Password", password), h("button", { type: "submit" }, "Open"), box);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(box, () => open(password.value), form);
  });
  return form;
}

function photoView(photo) {
  return h("figure", { class: "photo" }, photoImage(photo, "100vw"),
    h("figcaption", {}, photo.description || "", tagLinks(photo.tags || []), h("span", { class: "muted" }, `by ${photo.owner.username}`)));
}

function albumView(shared) {
  const album = shared.album;
  const photos = shared.photos ? shared.photos.items : [];
  return h("div", {}, h("h2", {}, album.title), album.description ? h("p", {}, album.description) : null,
    h("ul", { class: "grid" }, photos.map((p) => h("li", { class: "card" }, photoImage(p, "240px")))));
}
