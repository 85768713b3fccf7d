// Upload several photos: pick or drop files, a preview, description and tags each, progress per file.
import { currentUser, schemaHas, upload } from "../api.js";
import { h, field } from "../dom.js";
import { errorBox, showError, tagInput } from "../components.js";

const ACCEPT = "image/jpeg,image/png,image/webp,image/gif";

export async function uploadPage() {
  if (!currentUser()) {
    return h("div", {}, h("h1", {}, "Upload photos"), h("p", {}, h("a", { href: "/login?next=/upload" }, "Log in"), " to upload photos."));
  }
  const withVisibility = await schemaHas("visibility", "photo");
  const input = h("input", { type: "file", id: "files", name: "files", accept: ACCEPT, multiple: true, class: "sr-only" });
  const drop = h("label", { for: "files", class: "drop" },
    h("strong", {}, "Choose photos"), h("span", {}, " or drop them here"), h("small", { class: "hint" }, "JPEG, PNG, WebP or GIF, up to 10 MiB each"));
  const list = h("ul", { class: "uploads" });
  const send = h("button", { type: "button", hidden: true }, "Upload all");
  const add = (files) => {
    for (const file of files) list.append(fileItem(file, withVisibility));
    send.hidden = !list.querySelector(".upload-item:not(.done)");
  };
  input.addEventListener("change", () => {
    add(input.files);
    input.value = "";
  });
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    add(event.dataTransfer.files);
  });
  send.addEventListener("click", async () => {
    send.disabled = true;
    for (const item of list.querySelectorAll(".upload-item:not(.done)")) await item.send();
    send.disabled = false;
    send.hidden = !list.querySelector(".upload-item:not(.done)");
  });
  return h("div", {}, h("h1", {}, "Upload photos"), input, drop, list, send);
}

function sizeText(bytes) {
  return bytes < 1048576 ? `${Math.max(1, Math.round(bytes / 1024))} KiB` : `${(bytes / 1048576).toFixed(1)} MiB`;
}

function fileItem(file, withVisibility) {
  const preview = URL.createObjectURL(file);
  const description = h("textarea", { name: "description", maxlength: 2000, rows: 2 });
  const tags = tagInput();
  const visibility = withVisibility
    ? h("select", { name: "visibility" }, ["public", "unlisted", "private"].map((v) => h("option", { value: v }, v)))
    : null;
  const progress = h("progress", { max: 1, value: 0, "aria-label": `Upload progress of ${file.name}` });
  const status = h("p", { class: "muted", role: "status" }, `${file.name} · ${sizeText(file.size)}`);
  const box = errorBox();
  const remove = h("button", { type: "button", class: "small", "aria-label": `Remove ${file.name}` }, "Remove");
  const item = h("li", { class: "upload-item" },
    h("img", { src: preview, alt: `Preview of ${file.name}`, class: "preview" }),
    h("div", { class: "stack" },
      status,
      field("Description", description),
      field("Tags (comma-separated, at most 5)", tags.input),
      tags.querySelector("datalist"),
      visibility ? field("Visibility", visibility) : null,
      progress,
      h("div", { class: "row" }, remove),
      box,
    ),
  );
  remove.addEventListener("click", () => {
    URL.revokeObjectURL(preview);
    item.remove();
  });
  item.send = async () => {
    const form = new FormData();
    form.append("file", file);
    if (description.value) form.append("description", description.value);
    if (tags.input.value.trim()) form.append("tags", tags.input.value);
    if (visibility) form.append("visibility", visibility.value);
    box.hidden = true;
    remove.disabled = true;
    try {
      const photo = await upload("/api/photos", form, (fraction) => {
        progress.value = fraction;
      });
      progress.value = 1;
      item.classList.add("done");
      status.replaceChildren("Uploaded: ", h("a", { href: `/photos/${photo.id}` }, file.name));
      for (const control of item.querySelectorAll("textarea, input, select")) control.disabled = true;
      remove.hidden = true;
    } catch (error) {
      progress.value = 0;
      remove.disabled = false;
      showError(box, error);
    }
  };
  return item;
}
