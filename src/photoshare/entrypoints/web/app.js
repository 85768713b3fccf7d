// Starts the client: the navigation bar follows the signed-in user; the router draws the page.
import { currentUser, isAdmin, onUserChange, restoreSession, logout } from "./api.js";
import { h, clear, toast } from "./dom.js";
import { route, start, navigate } from "./router.js";
import { homePage, tagPage } from "./pages/gallery.js";
import { photoPage } from "./pages/photo.js";
import { uploadPage } from "./pages/upload.js";
import { loginPage, signupPage, accountPage, verifyEmailPage, resetPasswordPage } from "./pages/account.js";
import { profilePage } from "./pages/profile.js";
import { albumPage } from "./pages/album.js";
import { sharedPage } from "./pages/shared.js";
import { usersPage } from "./pages/users.js";

route("/", homePage);
route("/tags/:tag", tagPage);
route("/photos/:id", photoPage);
route("/upload", uploadPage);
route("/login", loginPage);
route("/signup", signupPage);
route("/account", accountPage);
route("/verify-email", verifyEmailPage);
route("/reset-password", resetPasswordPage);
route("/u/:username", profilePage);
route("/albums/:id", albumPage);
route("/s/:slug", sharedPage);
route("/admin/users", usersPage);

function drawNav(user) {
  const nav = document.getElementById("nav");
  const items = user
    ? [
        h("a", { href: "/upload" }, "Upload"),
        h("a", { href: `/u/${encodeURIComponent(user.username)}` }, user.username),
        h("a", { href: "/account" }, "Account"),
        isAdmin(user) ? h("a", { href: "/admin/users" }, "Users") : null,
        h(
          "button",
          {
            type: "button",
            class: "link",
            onclick: async () => {
              try {
                await logout();
              } finally {
                toast("Logged out.");
                navigate("/");
              }
            },
          },
          "Log out",
        ),
      ]
    : [h("a", { href: "/login" }, "Log in"), h("a", { href: "/signup" }, "Sign up")];
  clear(nav, h("ul", {}, [h("a", { href: "/" }, "Photos"), ...items].filter(Boolean).map((item) => h("li", {}, item))));
}

onUserChange(drawNav);
drawNav(currentUser());
restoreSession()
  .catch(() => null)
  .finally(start);
