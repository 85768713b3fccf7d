// An album: its photos in order; its owner edits it, sets the cover, reorders, removes and shares.
import { api, currentUser, has, isAdmin } from "../api.js";
import { h, clear, field, toast } from "../dom.js";
import { errorBox, guarded, photoImage, showError } from "../components.js";
import { navigate } from "../router.js";
import { sharesSection } from "./shares.js";

export async function albumPage({ id }) {
  const album = await api("GET", `/api/albums/${encodeURIComponent(id)}`);
  const me = currentUser();
  const manage = !!me && (me.username === album.owner.username || isAdmin(me));
  const list = h("ol", { class: "grid album-photos" });
  const box = errorBox();
  let photos = [];
  const draw = () =>
    clear(list, photos.length ? photos.map((photo, index) => albumItem(album, photo, index, manage, reorder, box)) : h("li", { class: "muted" }, "No photos in this album yet."));
  const reorder = async (index, delta) => {
    const target = index + delta;
    if (target < 0 || target >= photos.length) return;
    await guarded(box, async () => {
      await api("PUT", `/api/albums/${album.id}/photos/${photos[index].id}`, { body: { position: target } });
      [photos[index], photos[target]] = [photos[target], photos[index]];
      draw();
      list.querySelectorAll("li")[target]?.querySelector("button")?.focus();
    });
  };
  api("GET", `/api/albums/${album.id}/photos`, { query: { limit: 100 } })
    .then((page) => {
      photos = page.items;
      draw();
    })
    .catch((error) => showError(box, error));
  const page = h("div", {},
    h("h1", {}, album.title),
    album.description ? h("p", {}, album.description) : null,
    h("p", { class: "muted" }, "By ", h("a", { href: `/u/${encodeURIComponent(album.owner.username)}` }, album.owner.username), ` · ${album.photo_count} photos · ${album.visibility || "public"}`),
    list, box);
  if (manage) page.append(editAlbum(album));
  if (manage && (await has("post", "/api/albums/{}/shares"))) page.append(sharesSection("albums", album.id));
  return page;
}

function albumItem(album, photo, index, manage, reorder, box) {
  const item = h("li", { class: "card" }, h("a", { href: `/photos/${photo.id}`, class: "card-link" }, photoImage(photo, "240px")));
  if (manage) {
    item.append(h("div", { class: "row" },
      h("button", { type: "button", class: "small", "aria-label": "Move earlier", onclick: () => reorder(index, -1) }, "←"),
      h("button", { type: "button", class: "small", "aria-label": "Move later", onclick: () => reorder(index, 1) }, "→"),
      h("button", { type: "button", class: "small", onclick: () => guarded(box, async () => { await api("PATCH", `/api/albums/${album.id}`, { body: { cover_photo_id: photo.id } }); toast("Cover set."); }) }, "Cover"),
      h("button", { type: "button", class: "small danger", onclick: () => guarded(box, async () => { await api("DELETE", `/api/albums/${album.id}/photos/${photo.id}`); item.remove(); }) }, "Remove")));
  }
  return item;
}

function editAlbum(album) {
  const box = errorBox();
  const title = h("input", { type: "text", name: "title", required: true, maxlength: 200, value: album.title });
  const description = h("textarea", { name: "description", maxlength: 2000, rows: 2 }, album.description || "");
  const visibility = h("select", { name: "visibility" }, ["public", "unlisted", "private"].map((v) => h("option", { value: v, selected: v === album.visibility }, v)));
  const form = h("form", { class: "stack" }, field("Title", title), field("Description", description), field("Visibility", visibility),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Save album"),
      h("button", { type: "button", class: "danger", onclick: () => { if (confirm("Delete this album? Its photos stay.")) guarded(box, async () => { await api("DELETE", `/api/albums/${album.id}`); navigate(`/u/${encodeURIComponent(album.owner.username)}`); }); } }, "Delete album")),
    box);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(box, async () => {
      await api("PATCH", `/api/albums/${album.id}`, { body: { title: title.value, description: description.value, visibility: visibility.value } });
      navigate(`/albums/${album.id}`, { replace: true });
    }, form);
  });
  return h("section", { class: "panel", "aria-labelledby": "album-edit-h" }, h("h2", { id: "album-edit-h" }, "Edit album"), form);
}
