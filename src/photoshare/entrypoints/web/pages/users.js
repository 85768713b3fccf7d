// Admins: every account, searched by username and filtered by role and ban, a page at a time;
// each links to the profile, where the role changes, and is banned or unbanned here at once.
import { api, currentUser, isAdmin } from "../api.js";
import { h, clear, field, time, toast } from "../dom.js";
import { errorBox, guarded, showError } from "../components.js";
import { navigate } from "../router.js";

const ROLES = ["user", "moderator", "admin"];
const PAGE = 50;

export async function usersPage(_params, query) {
  const me = currentUser();
  if (!isAdmin(me)) return h("div", {}, h("h1", {}, "Users"), h("p", {}, "Only admins see the user list."));
  const q = h("input", { type: "search", name: "q", value: query.get("q") || "", maxlength: 32 });
  const role = h("select", { name: "role" }, h("option", { value: "" }, "any"),
    ROLES.map((r) => h("option", { value: r, selected: r === query.get("role") }, r)));
  const banned = h("select", { name: "banned" },
    [["", "any"], ["false", "active"], ["true", "banned"]].map(([v, t]) => h("option", { value: v, selected: v === (query.get("banned") || "") }, t)));
  const form = h("form", { class: "filters", role: "search", "aria-label": "Find users" },
    field("Username contains", q), field("Role", role), field("Status", banned), h("button", { type: "submit" }, "Find"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) params.set(k, v);
    navigate(`/admin/users${params.toString() ? `?${params}` : ""}`);
  });
  const status = h("p", { class: "muted", role: "status" });
  const list = h("ul", { class: "plain users" });
  const box = errorBox();
  const more = h("button", { type: "button", hidden: true }, "More users");
  const filters = { q: query.get("q"), role: query.get("role"), banned: query.get("banned") };
  let offset = 0;
  const load = async () => {
    try {
      const page = await api("GET", "/api/users", { query: { ...filters, limit: PAGE, offset } });
      list.append(...page.items.map((user) => userRow(user, me)));
      offset += page.items.length;
      status.textContent = `${page.total} user${page.total === 1 ? "" : "s"}`;
      more.hidden = offset >= page.total;
    } catch (error) {
      showError(box, error);
    }
  };
  more.addEventListener("click", load);
  await load();
  return h("div", {}, h("h1", {}, "Users"), form, status, list, more, box);
}

function userRow(user, me) {
  const box = errorBox();
  const self = user.username === me.username;
  const action = user.is_active ? "ban" : "unban";
  const button = self ? null : h("button", {
    type: "button", class: `small${user.is_active ? " danger" : ""}`,
    onclick: () => {
      if (action === "ban" && !confirm(`Ban ${user.username}? Their sessions end at once.`)) return;
      guarded(box, async () => {
        const profile = await api("POST", `/api/users/${encodeURIComponent(user.username)}/${action}`);
        toast(`${user.username} is ${action}ned.`);
        item.replaceWith(userRow({ ...user, is_active: profile.is_active }, me));
      });
    },
  }, `${user.is_active ? "Ban" : "Unban"} ${user.username}`);
  const item = h("li", { class: "row user-row" },
    h("span", {}, h("a", { href: `/u/${encodeURIComponent(user.username)}` }, user.username), ` · ${user.email} · `,
      h("span", { class: "badge" }, user.role), user.is_active ? null : h("span", { class: "badge danger" }, "banned"),
      ` · ${user.photo_count} photo${user.photo_count === 1 ? "" : "s"} · joined `, time(user.created_at)),
    button, box);
  return item;
}
