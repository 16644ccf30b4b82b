// Building markup from data without innerHTML: every text goes in as text, never as HTML.

/** `h("a", {href: "#"}, "text", child)`: an element with attributes and children. */
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Box art with a text stand-in when the image host cannot be reached. */
export function boxArt(title, size = "large") {
  const url = title.box_art?.[size] ?? title.box_art?.medium;
  const fallback = h("div", { class: "art-fallback", "aria-hidden": "true" }, title.title);
  if (!url) return h("div", { class: "art" }, fallback);
  const image = h("img", { src: url, alt: `Box art of ${title.title}`, loading: "lazy" });
  image.addEventListener("error", () => image.replaceWith(fallback));
  return h("div", { class: "art" }, image);
}

/** A clickable card of a title: box art, name and year. */
export function titleCard(title) {
  return h("li", { class: "card" },
    h("a", { href: `#/title/${title.id}` },
      boxArt(title, "medium"),
      h("span", { class: "card-title" }, title.title),
      title.release_year ? h("span", { class: "card-year" }, title.release_year) : null));
}

/** A section with a heading whose body fills in later (or shows its own error). */
export function section(heading, className = "") {
  const body = h("div", { class: "section-body" }, h("p", { class: "muted" }, "Loading…"));
  const node = h("section", { class: `panel ${className}` }, h("h2", {}, heading), body);
  return { node, fill: (...children) => body.replaceChildren(...children) };
}
