// Sign up, log in, the account page (profile, password, sessions, tokens, avatar), and the pages
// the mailed links open (/verify-email, /reset-password).
import { api, currentUser, has, loadMe, login, upload } from "../api.js";
import { h, clear, field, time, toast } from "../dom.js";
import { errorBox, guarded, showError } from "../components.js";
import { navigate } from "../router.js";

function safeNext(query) {
  const next = query.get("next") || "/";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function loginPage(_params, query) {
  const box = errorBox();
  const username = h("input", { type: "text", name: "username", required: true, autocomplete: "username" });
  const password = h("input", { type: "password", name: "password", required: true, autocomplete: "current-password" });
  const form = h("form", { class: "stack narrow" },
    field("Username or email", username), field("Password", password),
    h("button", { type: "submit" }, "Log in"), box,
    h("p", {}, "New here? ", h("a", { href: "/signup" }, "Sign up"), " · ", h("a", { href: "/reset-password" }, "Forgot your password?")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(box, async () => {
      const me = await login(username.value, password.value);
      toast(`Welcome, ${me.username}.`);
      navigate(safeNext(query));
    }, form);
  });
  return h("div", {}, h("h1", {}, "Log in"), form);
}

export function signupPage() {
  const box = errorBox();
  const username = h("input", { type: "text", name: "username", required: true, minlength: 3, maxlength: 32, pattern: "[A-Za-z0-9_.\\-]+", autocomplete: "username" });
  const email = h("input", { type: "email", name: "email", required: true, autocomplete: "email" });
  const password = h("input", { type: "password", name: "password", required: true, minlength: 8, maxlength: 128, autocomplete: "new-password" });
  const form = h("form", { class: "stack narrow" },
    field("Username", username, "3–32 letters, digits, _ . or -"), field("Email", email), field("Password", password, "8–128 characters"),
    h("button", { type: "submit" }, "Sign up"), box,
    h("p", {}, "Have an account? ", h("a", { href: "/login" }, "Log in")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(box, async () => {
      await api("POST", "/api/auth/signup", { body: { username: username.value, email: email.value, password: password.value } });
      await login(username.value, password.value);
      toast("Account created.");
      navigate("/account");
    }, form);
  });
  return h("div", {}, h("h1", {}, "Sign up"), form);
}

export async function accountPage() {
  const me = currentUser();
  if (!me) return h("div", {}, h("h1", {}, "Account"), h("p", {}, h("a", { href: "/login?next=/account" }, "Log in"), " to see your account."));
  const sections = [profileForm(me)];
  const [avatar, verify, password, sessions, tokens] = await Promise.all([
    has("put", "/api/users/me/avatar"),
    has("post", "/api/auth/verify-email/resend"),
    has("put", "/api/users/me/password"),
    has("get", "/api/users/me/sessions"),
    has("get", "/api/users/me/tokens"),
  ]);
  if (verify && me.email_verified === false) sections.push(resendSection());
  if (avatar) sections.push(avatarSection(me));
  if (password) sections.push(passwordSection());
  if (sessions) sections.push(sessionsSection());
  if (tokens) sections.push(tokensSection());
  return h("div", {}, h("h1", {}, "Your account"),
    h("p", {}, `Signed in as ${me.username} (${me.role}) · `, h("a", { href: `/u/${encodeURIComponent(me.username)}` }, "your public profile")),
    sections);
}

function panel(id, title, ...children) {
  return h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), children);
}

function profileForm(me) {
  const box = errorBox();
  const fullName = h("input", { type: "text", name: "full_name", value: me.full_name || "", autocomplete: "name" });
  const email = h("input", { type: "email", name: "email", value: me.email || "", autocomplete: "email" });
  const bio = h("textarea", { name: "bio", rows: 3 }, me.bio || "");
  const form = h("form", { class: "stack" }, field("Full name", fullName), field("Email", email), field("Bio", bio), h("button", { type: "submit" }, "Save profile"), box);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { full_name: fullName.value, bio: bio.value };
    if (email.value !== me.email) body.email = email.value;
    guarded(box, async () => {
      await api("PATCH", "/api/users/me", { body });
      await loadMe();
      toast("Profile saved.");
    }, form);
  });
  return panel("profile-h", "Profile", form);
}

function resendSection() {
  const box = errorBox();
  const button = h("button", { type: "button" }, "Send the verification email again");
  button.addEventListener("click", () => guarded(box, async () => {
    await api("POST", "/api/auth/verify-email/resend");
    toast("Verification email sent.");
  }));
  return panel("verify-h", "Email not verified yet", button, box);
}

function avatarSection(me) {
  const box = errorBox();
  const file = h("input", { type: "file", name: "file", accept: "image/jpeg,image/png,image/webp,image/gif" });
  const progress = h("progress", { max: 1, value: 0, "aria-label": "Avatar upload progress" });
  const form = h("form", { class: "stack" },
    me.avatar_url ? h("img", { src: me.avatar_url, alt: `Avatar of ${me.username}`, class: "avatar" }) : null,
    field("New avatar", file), progress,
    h("div", { class: "row" }, h("button", { type: "submit" }, "Upload avatar"),
      me.avatar_url ? h("button", { type: "button", class: "danger", onclick: () => guarded(box, async () => { await api("DELETE", "/api/users/me/avatar"); await loadMe(); navigate("/account", { replace: true }); }) }, "Remove avatar") : null),
    box);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!file.files.length) return;
    const data = new FormData();
    data.append("file", file.files[0]);
    guarded(box, async () => {
      await upload("/api/users/me/avatar", data, (f) => (progress.value = f), "PUT");
      await loadMe();
      navigate("/account", { replace: true });
    }, form);
  });
  return panel("avatar-h", "Avatar", form);
}

function passwordSection() {
  const box = errorBox();
  const current = h("input", { type: "password", name: "current_password", required: true, autocomplete: "current-password" });
  const fresh = h("input", { type: "password", name: "new_password", required: true, minlength: 8, maxlength: 128, autocomplete: "new-password" });
  const form = h("form", { class: "stack" }, field("Current password", current), field("New password", fresh), h("button", { type: "submit" }, "Change password"), box);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(box, async () => {
      await api("PUT", "/api/users/me/password", { body: { current_password: current.value, new_password: fresh.value } });
      form.reset();
      toast("Password changed; your other sessions have ended.");
    }, form);
  });
  return panel("password-h", "Password", form);
}

function sessionsSection() {
  const list = h("ul", { class: "plain" });
  const box = errorBox();
  const load = () =>
    api("GET", "/api/users/me/sessions")
      .then((sessions) => {
        const items = Array.isArray(sessions) ? sessions : sessions.items || [];
        clear(list, items.map((s) => h("li", { class: "row" },
          h("span", {}, s.user_agent || "Unknown device", " · last used ", time(s.last_used_at || s.created_at), s.current ? " · this session" : ""),
          s.current ? null : h("button", { type: "button", class: "small danger", onclick: () => guarded(box, async () => { await api("DELETE", `/api/users/me/sessions/${s.id}`); load(); }) }, "End"))));
      })
      .catch((error) => showError(box, error));
  load();
  return panel("sessions-h", "Sessions", list, box);
}

function tokensSection() {
  const list = h("ul", { class: "plain" });
  const box = errorBox();
  const shown = h("div", { role: "status" });
  const name = h("input", { type: "text", name: "name", required: true, maxlength: 100 });
  const write = h("input", { type: "checkbox", name: "write" });
  const form = h("form", { class: "stack" }, field("Token name", name),
    h("label", { class: "check" }, write, " Allow writes (otherwise read-only)"),
    h("button", { type: "submit" }, "Create token"), box);
  const load = () =>
    api("GET", "/api/users/me/tokens")
      .then((tokens) => {
        const items = Array.isArray(tokens) ? tokens : tokens.items || [];
        clear(list, items.map((t) => h("li", { class: "row" },
          h("span", {}, `${t.name} (${(t.scopes || []).join(", ")})`, t.expires_at ? [" · expires ", time(t.expires_at)] : ""),
          h("button", { type: "button", class: "small danger", onclick: () => guarded(box, async () => { await api("DELETE", `/api/users/me/tokens/${t.id}`); load(); }) }, "Revoke"))));
      })
      .catch((error) => showError(box, error));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(box, async () => {
      const token = await api("POST", "/api/users/me/tokens", { body: { name: name.value, scopes: write.checked ? ["read", "write"] : ["read"] } });
      clear(shown, h("p", {}, "Copy it now, it is shown only once: ", h("code", {}, token.token)));
      form.reset();
      load();
    }, form);
  });
  load();
  return panel("tokens-h", "Personal access tokens", form, shown, list);
}

export function verifyEmailPage(_params, query) {
  const box = errorBox();
  const result = h("p", { role: "status" }, "Verifying your email…");
  const token = query.get("token");
  if (!token) clear(result, "This link has no token.");
  else
    api("POST", "/api/auth/verify-email", { body: { token } })
      .then(() => clear(result, "Your email is verified. ", h("a", { href: "/" }, "Go to the photos")))
      .then(() => currentUser() && loadMe())
      .catch((error) => {
        result.textContent = "";
        showError(box, error);
      });
  return h("div", {}, h("h1", {}, "Verify your email"), result, box);
}

export function resetPasswordPage(_params, query) {
  const box = errorBox();
  const token = query.get("token");
  if (!token) {
    const email = h("input", { type: "email", name: "email", required: true, autocomplete: "email" });
    const form = h("form", { class: "stack narrow" }, field("Your account's email", email), h("button", { type: "submit" }, "Send a reset link"), box);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      guarded(box, async () => {
        await api("POST", "/api/auth/password-reset", { body: { email: email.value } });
        clear(form, h("p", { role: "status" }, "If that address belongs to an account, a reset link is on its way."));
      }, form);
    });
    return h("div", {}, h("h1", {}, "Reset your password"), form);
  }
  const password = h("input", { type: "password", name: "password", required: true, minlength: 8, maxlength: 128, autocomplete: "new-password" });
  const form = h("form", { class: "stack narrow" }, field("New password", password, "8–128 characters"), h("button", { type: "submit" }, "Set the new password"), box);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(box, async () => {
      await api("POST", "/api/auth/password-reset/confirm", { body: { token, password: password.value } });
      clear(form, h("p", { role: "status" }, "Your password is changed. ", h("a", { href: "/login" }, "Log in")));
    }, form);
  });
  return h("div", {}, h("h1", {}, "Choose a new password"), form);
}
