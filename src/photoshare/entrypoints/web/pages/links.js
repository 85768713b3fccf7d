// Transformed links of a photo: the form for the supported transformations, and the stored links
// with their QR codes (shown and downloadable), copy and delete.
import { api } from "../api.js";
import { h, clear, field, time, toast } from "../dom.js";
import { errorBox, guarded, showError } from "../components.js";

// The transformation subset of API.md ("Transformed links and QR codes").
const CHOICES = {
  crop: ["fill", "fit", "scale", "thumb", "crop", "pad"],
  gravity: ["auto", "center", "face", "north", "south", "east", "west"],
  effect: ["grayscale", "sepia", "blur", "pixelate", "negate", "sharpen"],
  format: ["jpg", "png", "webp"],
};
const NUMBERS = { width: [1, 4000], height: [1, 4000], angle: [-360, 360], quality: [1, 100] };

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast("Link copied.");
  } catch {
    toast(`Copy this link: ${text}`);
  }
}

// CSS stand-ins for the transformations, for a preview that follows the form as it changes.
const FIT = { fill: "cover", thumb: "cover", crop: "none", fit: "contain", pad: "contain", scale: "fill" };
const FILTER = { grayscale: "grayscale(1)", sepia: "sepia(1)", blur: "blur(3px)", negate: "invert(1)", sharpen: "contrast(1.2)", pixelate: "blur(1px) contrast(1.4)" };
const PREVIEW_MAX = 240;

/** An approximate, instant preview of a transformation; the created link shows the real result. */
function preview(photo, form) {
  const img = h("img", { src: photo.url, alt: "Preview of the transformation", class: "preview-img" });
  const caption = h("figcaption", { class: "hint" }, "Approximate preview; the link shows the real result.");
  const update = () => {
    const v = Object.fromEntries(new FormData(form));
    const ratio = (photo.width || 4) / (photo.height || 3);
    let width = Number(v.width) || 0;
    let height = Number(v.height) || 0;
    if (width && !height) height = width / ratio;
    if (height && !width) width = height * ratio;
    if (!width) [width, height] = [PREVIEW_MAX, PREVIEW_MAX / ratio];
    const scale = Math.min(1, PREVIEW_MAX / Math.max(width, height));
    img.style.width = `${Math.round(width * scale)}px`;
    img.style.height = `${Math.round(height * scale)}px`;
    img.style.objectFit = FIT[v.crop] || "fill";
    img.style.filter = FILTER[v.effect] || "none";
    img.style.transform = v.angle ? `rotate(${Number(v.angle)}deg)` : "none";
    img.style.borderRadius = v.radius === "max" ? "50%" : v.radius ? `${Number(v.radius) * scale}px` : "0";
  };
  form.addEventListener("input", update);
  form.addEventListener("reset", () => setTimeout(update));
  update();
  return h("figure", { class: "transform-preview" }, img, caption);
}

function transformForm(onCreated) {
  const box = errorBox();
  const controls = [
    ...Object.entries(NUMBERS).map(([name, [min, max]]) =>
      field(name[0].toUpperCase() + name.slice(1), h("input", { type: "number", name, min, max, inputmode: "numeric" })),
    ),
    ...Object.entries(CHOICES).map(([name, values]) =>
      field(name[0].toUpperCase() + name.slice(1), h("select", { name }, h("option", { value: "" }, "—"), values.map((v) => h("option", { value: v }, v)))),
    ),
    field("Radius", h("input", { type: "text", name: "radius", pattern: "max|[0-9]{1,4}", inputmode: "numeric" }), "0–2000 or max"),
  ];
  const form = h("form", { class: "stack", "aria-label": "New transformed link" },
    h("div", { class: "filters" }, controls),
    h("button", { type: "submit" }, "Create link"),
    box,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {};
    for (const [name, value] of new FormData(form)) {
      if (value === "") continue;
      body[name] = name in NUMBERS || (name === "radius" && value !== "max") ? Number(value) : value;
    }
    guarded(box, async () => {
      if (!Object.keys(body).length) {
        throw { problem: { title: "Nothing to do", detail: "Choose at least one transformation." } };
      }
      onCreated(await api("POST", form.dataset.path, { body }));
      form.reset();
    }, form);
  });
  return form;
}

export function linkItem(link, onDelete) {
  const box = errorBox();
  const spec = Object.entries(link.transformation || {}).map(([k, v]) => `${k} ${v}`).join(", ");
  const item = h("li", { class: "link-item" },
    h("img", { src: link.qr_url, alt: `QR code for ${link.link}`, width: 160, height: 160, class: "qr" }),
    h("div", { class: "stack" },
      h("p", {}, h("a", { href: link.link, target: "_blank", rel: "noopener" }, link.link)),
      h("p", { class: "muted" }, spec, " · ", time(link.created_at)),
      h("div", { class: "row" },
        h("button", { type: "button", class: "small", onclick: () => copyText(link.link) }, "Copy link"),
        h("a", { class: "button small", href: link.qr_url, download: `qr-${link.slug}.png` }, "Download QR (PNG)"),
        h("a", { class: "button small", href: `${link.qr_url}${link.qr_url.includes("?") ? "&" : "?"}format=svg`, download: `qr-${link.slug}.svg` }, "SVG"),
        h("button", {
          type: "button", class: "small danger",
          onclick: () => guarded(box, async () => {
            await api("DELETE", `/api/photos/${link.photo_id}/transformations/${link.id}`);
            item.remove();
            onDelete && onDelete();
            toast("Link deleted.");
          }),
        }, "Delete"),
      ),
      box,
    ),
  );
  return item;
}

export function linksSection(photo) {
  const path = `/api/photos/${photo.id}/transformations`;
  const list = h("ul", { class: "links" });
  const box = errorBox();
  const form = transformForm((link) => list.prepend(linkItem(link)));
  form.dataset.path = path;
  const editor = h("div", { class: "transform" }, form, preview(photo, form));
  api("GET", path)
    .then((links) => {
      const items = Array.isArray(links) ? links : links.items || [];
      clear(list, items.map((link) => linkItem(link)));
    })
    .catch((error) => showError(box, error));
  return h("section", { class: "panel", "aria-labelledby": "links-h" },
    h("h2", { id: "links-h" }, "Transform and share"),
    h("p", { class: "muted" }, "A transformed copy gets a short link and a QR code that opens it."),
    editor, box, list);
}
