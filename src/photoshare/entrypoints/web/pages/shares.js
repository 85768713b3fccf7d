// Share links (label, expiry, password, view limit) of a photo or an album: create, list, copy, revoke.
import { api } from "../api.js";
import { h, clear, field, formatDate, toast } from "../dom.js";
import { errorBox, guarded, showError } from "../components.js";
import { copyText } from "./links.js";

const EXPIRIES = [
  ["", "Never"],
  [3600, "1 hour"],
  [86400, "1 day"],
  [604800, "1 week"],
  [2592000, "30 days"],
];

function shareItem(share) {
  const box = errorBox();
  const facts = [
    share.label ? `“${share.label}”` : null,
    `${share.view_count} view${share.view_count === 1 ? "" : "s"}${share.max_views ? ` of ${share.max_views}` : ""}`,
    share.expires_at ? `expires ${formatDate(share.expires_at)}` : "no expiry",
    share.has_password ? "password" : null,
  ].filter(Boolean);
  const item = h("li", { class: "link-item" },
    share.qr_url ? h("img", { src: share.qr_url, alt: `QR code for ${share.url}`, width: 120, height: 120, class: "qr" }) : null,
    h("div", { class: "stack" },
      h("p", {}, h("a", { href: share.url }, share.url)),
      h("p", { class: "muted" }, facts.join(" · ")),
      h("div", { class: "row" },
        h("button", { type: "button", class: "small", onclick: () => copyText(share.url) }, "Copy link"),
        share.qr_url ? h("a", { class: "button small", href: share.qr_url, download: `share-${share.slug}.png` }, "Download QR") : null,
        h("button", {
          type: "button", class: "small danger",
          onclick: () => guarded(box, async () => {
            await api("DELETE", `/api/shares/${share.id}`);
            item.remove();
            toast("Share link revoked.");
          }),
        }, "Revoke"),
      ),
      box,
    ),
  );
  return item;
}

/** kind: "photos" or "albums"; lists the caller's shares of that target. */
export function sharesSection(kind, targetId) {
  const list = h("ul", { class: "links" });
  const box = errorBox();
  const label = h("input", { type: "text", name: "label", maxlength: 100 });
  const expires = h("select", { name: "expires_in" }, EXPIRIES.map(([v, t]) => h("option", { value: v }, t)));
  const password = h("input", { type: "password", name: "password", minlength: 8, maxlength: 128, autocomplete: "new-password" });
  const maxViews = h("input", { type: "number", name: "max_views", min: 1, max: 1000000 });
  const form = h("form", { class: "stack", "aria-label": "New share link" },
    h("div", { class: "filters" }, field("Label", label, "who it is for"), field("Expires", expires), field("Password", password, "optional, 8+ characters"), field("View limit", maxViews)),
    h("button", { type: "submit" }, "Create share link"), box);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {};
    if (label.value) body.label = label.value;
    if (expires.value) body.expires_in = Number(expires.value);
    if (password.value) body.password = password.value;
    if (maxViews.value) body.max_views = Number(maxViews.value);
    guarded(box, async () => {
      list.prepend(shareItem(await api("POST", `/api/${kind}/${targetId}/shares`, { body })));
      form.reset();
    }, form);
  });
  api("GET", "/api/shares", { query: { limit: 100 } })
    .then((page) => clear(list, page.items.filter((s) => s.target_id === targetId).map(shareItem)))
    .catch((error) => showError(box, error));
  return h("section", { class: "panel", "aria-labelledby": `shares-h` }, h("h2", { id: "shares-h" }, "Share links"), form, list);
}
