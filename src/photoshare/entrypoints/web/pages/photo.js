// One photo: image, description, tags, owner, its albums, rating, comments; its owner edits, transforms and shares it.
import { api, currentUser, has, isAdmin, isStaff } from "../api.js";
import { h, clear, field, time, toast } from "../dom.js";
import { errorBox, guarded, photoImage, ratingText, showError, tagInput, tagLinks, tagsOf } from "../components.js";
import { navigate } from "../router.js";
import { linksSection } from "./links.js";
import { sharesSection } from "./shares.js";

const VISIBILITIES = ["public", "unlisted", "private"];

export async function photoPage({ id }) {
  const photo = await api("GET", `/api/photos/${encodeURIComponent(id)}`);
  const me = currentUser();
  const mine = !!me && me.username === photo.owner.username;
  const manage = mine || isAdmin(me);
  const heading = photo.description ? firstLine(photo.description) : `Photo by ${photo.owner.username}`;
  const ratingLine = h("p", { class: "rating" }, ratingText(photo.rating));
  const inAlbums = (await has("get", "/api/photos/{}/albums")) ? albumsLine(photo) : null;
  const albumsLoaded = inAlbums ? inAlbums.refresh() : null;
  const page = h(
    "article",
    { class: "photo-page" },
    h("figure", { class: "photo" }, photoImage(photo, "(max-width: 1000px) 100vw, 1000px")),
    h("div", { class: "photo-info" },
      h("h1", {}, heading),
      photo.description && photo.description !== heading ? h("p", { class: "description" }, photo.description) : null,
      tagLinks(photo.tags || []),
      h("p", {}, "By ", h("a", { href: `/u/${encodeURIComponent(photo.owner.username)}` }, photo.owner.username), " · ", time(photo.created_at),
        photo.visibility && photo.visibility !== "public" ? h("span", { class: "badge" }, photo.visibility) : null),
      inAlbums,
      ratingLine,
      me && !mine ? await rateForm(photo, ratingLine) : null,
      !me ? h("p", { class: "muted" }, h("a", { href: "/login" }, "Log in"), " to rate and comment.") : null,
    ),
  );
  if (manage) page.append(await editSection(photo));
  if (manage) page.append(linksSection(photo));
  if (manage && (await has("post", "/api/photos/{}/shares"))) page.append(sharesSection("photos", photo.id));
  if (mine && (await has("put", "/api/albums/{}/photos/{}"))) page.append(albumPicker(photo, me, inAlbums));
  page.append(commentsSection(photo));
  if (isStaff(me)) page.append(ratingsSection(photo, ratingLine));
  await albumsLoaded; // drawn with the page, not a moment later
  return page;
}

// "In albums: …", links to the albums holding the photo that the viewer may see; nothing when none.
function albumsLine(photo) {
  const line = h("div", { class: "in-albums", hidden: true });
  line.refresh = async () => {
    try {
      const page = await api("GET", `/api/photos/${photo.id}/albums`, { query: { limit: 100 } });
      const links = page.items.map((album, i) => [i ? ", " : null, h("a", { href: `/albums/${album.id}` }, album.title)]);
      const more = page.total - page.items.length;
      clear(line, page.items.length ? h("p", {}, "In albums: ", links, more > 0 ? ` and ${more} more` : null) : null);
      line.hidden = !page.items.length;
    } catch (error) {
      clear(line, showError(errorBox(), error));
      line.hidden = false;
    }
  };
  return line;
}

function firstLine(text) {
  const line = text.split("\n")[0];
  return line.length > 80 ? `${line.slice(0, 77)}…` : line;
}

const rated = (value) => h("p", { role: "status" }, `You rated this photo ${value} star${value > 1 ? "s" : ""}.`);

async function rateForm(photo, ratingLine) {
  // Once rated, the stars are not offered again (a rating is once per photo).
  if (await has("get", "/api/photos/{}/ratings/me")) {
    const mine = await api("GET", `/api/photos/${photo.id}/ratings/me`).catch(() => null);
    if (mine && mine.value) return h("div", { class: "rate" }, rated(mine.value));
  }
  const box = errorBox();
  const stars = [1, 2, 3, 4, 5].map((n) =>
    h("label", { class: "star" }, h("input", { type: "radio", name: "value", value: n, required: true }), h("span", { "aria-hidden": "true" }, "★"), h("span", { class: "sr-only" }, `${n} star${n > 1 ? "s" : ""}`)),
  );
  const form = h("form", { class: "rate" },
    h("fieldset", {}, h("legend", {}, "Your rating"), h("div", { class: "stars" }, stars)),
    h("button", { type: "submit" }, "Rate"),
    box,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = Number(new FormData(form).get("value"));
    guarded(box, async () => {
      await api("POST", `/api/photos/${photo.id}/ratings`, { body: { value } });
      const fresh = await api("GET", `/api/photos/${photo.id}`);
      ratingLine.textContent = ratingText(fresh.rating);
      clear(form, rated(value));
    }, form);
  });
  return form;
}

async function editSection(photo) {
  const box = errorBox();
  const description = h("textarea", { name: "description", maxlength: 2000, rows: 3 }, photo.description || "");
  const tags = tagInput((photo.tags || []).join(", "));
  const visibility = photo.visibility
    ? h("select", { name: "visibility" }, VISIBILITIES.map((v) => h("option", { value: v, selected: v === photo.visibility }, v)))
    : null;
  const form = h("form", { class: "stack" },
    field("Description", description),
    field("Tags (comma-separated, at most 5)", tags.input),
    tags.querySelector("datalist"),
    visibility ? field("Visibility", visibility) : null,
    h("div", { class: "row" },
      h("button", { type: "submit" }, "Save"),
      h("button", { type: "button", class: "danger", onclick: () => remove() }, "Delete photo"),
    ),
    box,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { description: description.value, tags: tagsOf(tags.input.value) };
    if (visibility) body.visibility = visibility.value;
    guarded(box, async () => {
      await api("PUT", `/api/photos/${photo.id}`, { body });
      toast("Photo saved.");
      navigate(`/photos/${photo.id}`, { replace: true });
    }, form);
  });
  const remove = () => {
    if (!confirm("Delete this photo and its links for good?")) return;
    guarded(box, async () => {
      await api("DELETE", `/api/photos/${photo.id}`);
      toast("Photo deleted.");
      navigate("/");
    }, form);
  };
  return h("section", { class: "panel", "aria-labelledby": "edit-h" }, h("h2", { id: "edit-h" }, "Edit"), form);
}

function albumPicker(photo, me, inAlbums) {
  const box = errorBox();
  const select = h("select", { name: "album" });
  const form = h("form", { class: "row" }, field("Album", select), h("button", { type: "submit" }, "Add to album"), box);
  api("GET", `/api/users/${encodeURIComponent(me.username)}/albums`, { query: { limit: 100 } })
    .then((page) => {
      if (!page.items.length) clear(form, h("p", { class: "muted" }, "You have no album yet: create one on ", h("a", { href: `/u/${encodeURIComponent(me.username)}` }, "your profile"), "."));
      else clear(select, page.items.map((a) => h("option", { value: a.id }, a.title)));
    })
    .catch((error) => showError(box, error));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(box, async () => {
      await api("PUT", `/api/albums/${select.value}/photos/${photo.id}`);
      toast("Added to the album.");
      if (inAlbums) await inAlbums.refresh();
    }, form);
  });
  return h("section", { class: "panel", "aria-labelledby": "alb-h" }, h("h2", { id: "alb-h" }, "Albums"), form);
}

function commentsSection(photo) {
  const me = currentUser();
  const list = h("ol", { class: "comments" });
  const box = errorBox();
  const more = h("button", { type: "button", hidden: true }, "More comments");
  let offset = 0;
  const load = async () => {
    try {
      const page = await api("GET", `/api/photos/${photo.id}/comments`, { query: { limit: 50, offset } });
      for (const comment of page.items) list.append(commentItem(comment));
      offset += page.items.length;
      more.hidden = offset >= page.total;
    } catch (error) {
      showError(box, error);
    }
  };
  more.addEventListener("click", load);
  load();
  let form = null;
  if (me) {
    const text = h("textarea", { name: "text", required: true, maxlength: 2000, rows: 3 });
    const formBox = errorBox();
    form = h("form", { class: "stack" }, field("Write a comment", text), h("button", { type: "submit" }, "Post comment"), formBox);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      guarded(formBox, async () => {
        const comment = await api("POST", `/api/photos/${photo.id}/comments`, { body: { text: text.value } });
        list.append(commentItem(comment));
        offset += 1;
        text.value = "";
      }, form);
    });
  }
  return h("section", { class: "panel", "aria-labelledby": "comments-h" }, h("h2", { id: "comments-h" }, "Comments"), list, more, box, form);
}

function commentItem(comment) {
  const me = currentUser();
  const body = h("p", { class: "comment-text" }, comment.text);
  const meta = () =>
    h("p", { class: "muted" }, h("a", { href: `/u/${encodeURIComponent(comment.author.username)}` }, comment.author.username), " · ", time(comment.created_at),
      comment.updated_at && comment.updated_at !== comment.created_at ? " · edited" : "");
  const box = errorBox();
  const actions = h("div", { class: "row" });
  const item = h("li", { class: "comment" }, meta(), body, actions, box);
  if (me && me.username === comment.author.username) {
    actions.append(h("button", { type: "button", class: "small", onclick: () => edit() }, "Edit"));
  }
  if (isStaff(me)) {
    actions.append(h("button", { type: "button", class: "small danger", onclick: () => remove() }, "Delete"));
  }
  const edit = () => {
    const text = h("textarea", { name: "text", required: true, maxlength: 2000, rows: 3 }, comment.text);
    const form = h("form", { class: "stack" }, field("Edit your comment", text), h("div", { class: "row" }, h("button", { type: "submit" }, "Save"), h("button", { type: "button", onclick: () => form.replaceWith(body) }, "Cancel")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      guarded(box, async () => {
        comment = await api("PUT", `/api/comments/${comment.id}`, { body: { text: text.value } });
        body.textContent = comment.text;
        item.firstChild.replaceWith(meta());
        form.replaceWith(body);
      }, form);
    });
    body.replaceWith(form);
    text.focus();
  };
  const remove = () => {
    if (!confirm("Delete this comment?")) return;
    guarded(box, async () => {
      await api("DELETE", `/api/comments/${comment.id}`);
      item.remove();
      toast("Comment deleted.");
    });
  };
  return item;
}

function ratingsSection(photo, ratingLine) {
  const list = h("ul", { class: "plain" });
  const box = errorBox();
  const load = async () => {
    try {
      const ratings = await api("GET", `/api/photos/${photo.id}/ratings`);
      const items = Array.isArray(ratings) ? ratings : ratings.items || [];
      clear(list, items.length ? items.map((r) =>
        h("li", { class: "row" }, `${r.user.username}: ${r.value} ★`,
          h("button", { type: "button", class: "small danger", "aria-label": `Delete the rating by ${r.user.username}`, onclick: () => remove(r.user.username) }, "Delete")),
      ) : h("li", { class: "muted" }, "No ratings."));
    } catch (error) {
      showError(box, error);
    }
  };
  const remove = (username) =>
    guarded(box, async () => {
      await api("DELETE", `/api/photos/${photo.id}/ratings/${encodeURIComponent(username)}`);
      const fresh = await api("GET", `/api/photos/${photo.id}`);
      ratingLine.textContent = ratingText(fresh.rating);
      await load();
    });
  load();
  return h("section", { class: "panel", "aria-labelledby": "ratings-h" }, h("h2", { id: "ratings-h" }, "Ratings (moderation)"), list, box);
}
