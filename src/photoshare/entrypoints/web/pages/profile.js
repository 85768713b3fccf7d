// A person's profile: who they are, their albums, their photos (those the viewer may see); admins
// change the role and ban or unban.
import { api, currentUser, has, isAdmin, isStaff } from "../api.js";
import { h, clear, field, time, toast } from "../dom.js";
import { errorBox, gallery, guarded, showError } from "../components.js";
import { navigate } from "../router.js";

const ROLES = ["user", "moderator", "admin"];

export async function profilePage({ username }) {
  const profile = await api("GET", `/api/users/${encodeURIComponent(username)}`);
  const me = currentUser();
  const self = !!me && me.username === profile.username;
  const page = h("div", { class: "profile" },
    h("div", { class: "profile-head" },
      profile.avatar_url ? h("img", { src: profile.avatar_url, alt: `Avatar of ${profile.username}`, class: "avatar" }) : null,
      h("div", {},
        h("h1", {}, profile.full_name ? `${profile.full_name} (${profile.username})` : profile.username),
        profile.bio ? h("p", {}, profile.bio) : null,
        h("p", { class: "muted" }, `${profile.role} · ${profile.photo_count} photo${profile.photo_count === 1 ? "" : "s"} · ${profile.comment_count} comment${profile.comment_count === 1 ? "" : "s"} · joined `, time(profile.created_at),
          profile.is_active ? null : h("span", { class: "badge danger" }, "banned")),
        self ? h("p", {}, h("a", { href: "/account" }, "Edit your profile")) : null,
      ),
    ),
  );
  if (isAdmin(me) && !self) page.append(adminSection(profile));
  if (await has("get", "/api/users/{}/albums")) page.append(albumsSection(profile, self));
  if (await has("get", "/api/users/{}/photos")) {
    page.append(h("section", { "aria-labelledby": "photos-h" }, h("h2", { id: "photos-h" }, "Photos"),
      gallery((p) => api("GET", `/api/users/${encodeURIComponent(profile.username)}/photos`, { query: p }), { empty: "No photos." })));
  } else if (isStaff(me)) {
    page.append(h("section", { "aria-labelledby": "photos-h" }, h("h2", { id: "photos-h" }, "Photos"),
      gallery((p) => api("GET", "/api/photos", { query: { owner: profile.username, ...p } }), { empty: "No photos." })));
  }
  return page;
}

function adminSection(profile) {
  const box = errorBox();
  const role = h("select", { name: "role" }, ROLES.map((r) => h("option", { value: r, selected: r === profile.role }, r)));
  const form = h("form", { class: "row" }, field("Role", role), h("button", { type: "submit" }, "Change role"));
  const reload = () => navigate(`/u/${encodeURIComponent(profile.username)}`, { replace: true });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(box, async () => {
      await api("PUT", `/api/users/${encodeURIComponent(profile.username)}/role`, { body: { role: role.value } });
      toast(`${profile.username} is now ${role.value}.`);
      reload();
    }, form);
  });
  const action = profile.is_active ? "ban" : "unban";
  const ban = h("button", { type: "button", class: profile.is_active ? "danger" : "" }, profile.is_active ? `Ban ${profile.username}` : `Unban ${profile.username}`);
  ban.addEventListener("click", () => {
    if (action === "ban" && !confirm(`Ban ${profile.username}? Their sessions end at once.`)) return;
    guarded(box, async () => {
      await api("POST", `/api/users/${encodeURIComponent(profile.username)}/${action}`);
      toast(`${profile.username} is ${action}ned.`);
      reload();
    });
  });
  return h("section", { class: "panel", "aria-labelledby": "admin-h" }, h("h2", { id: "admin-h" }, "Administration"), form, h("div", { class: "row" }, ban), box);
}

function albumsSection(profile, self) {
  const list = h("ul", { class: "grid" });
  const box = errorBox();
  api("GET", `/api/users/${encodeURIComponent(profile.username)}/albums`, { query: { limit: 100 } })
    .then((page) => clear(list, page.items.length ? page.items.map(albumCard) : h("li", { class: "muted" }, "No albums.")))
    .catch((error) => showError(box, error));
  let form = null;
  if (self) {
    const title = h("input", { type: "text", name: "title", required: true, maxlength: 200 });
    const description = h("textarea", { name: "description", maxlength: 2000, rows: 2 });
    const formBox = errorBox();
    form = h("form", { class: "stack" }, field("New album title", title), field("Description", description), h("button", { type: "submit" }, "Create album"), formBox);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      guarded(formBox, async () => {
        const album = await api("POST", "/api/albums", { body: { title: title.value, description: description.value } });
        navigate(`/albums/${album.id}`);
      }, form);
    });
  }
  return h("section", { class: "panel", "aria-labelledby": "albums-h" }, h("h2", { id: "albums-h" }, "Albums"), list, box, form);
}

export function albumCard(album) {
  return h("li", { class: "card" },
    h("a", { href: `/albums/${album.id}`, class: "card-link album-link" },
      album.cover_url ? h("img", { src: album.cover_url, alt: "", loading: "lazy" }) : h("span", { class: "no-cover", "aria-hidden": "true" }, "▦"),
      h("span", { class: "album-title" }, album.title)),
    h("div", { class: "card-meta muted" }, `${album.photo_count} photo${album.photo_count === 1 ? "" : "s"}`));
}
