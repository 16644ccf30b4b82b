// A queue: drag and drop to reorder (or the up/down buttons from the keyboard), remove.
import { api } from "./api.js";
import { boxArt, h } from "./dom.js";
import { guarded, notify } from "./ui.js";

const PAGE_SIZE = 500;

/** The whole available queue, reordered through `PUT /v1/me/queues/{queue}/order`. */
export async function showQueue(view, queue) {
  const list = h("ol", { class: "queue", "aria-label": `${queue} queue` });
  const summary = h("p", { class: "muted" }, "Loading…");
  view.replaceChildren(h("section", { class: "panel wide" },
    h("h1", {}, queue === "disc" ? "Disc queue" : "Instant queue"),
    h("p", { class: "muted" }, "Drag titles to reorder them, or use the arrow buttons."),
    summary, list));
  let entries = [];

  const render = () => {
    summary.textContent = entries.length === 0 ? "Nothing queued." : `${entries.length} titles`;
    list.replaceChildren(...entries.map((entry, index) => row(entry, index)));
  };

  const save = async (order) => {
    list.setAttribute("aria-busy", "true");
    notify(`Saving the new order of ${order.length} titles…`);
    const answer = await guarded(() => api("PUT", `/v1/me/queues/${queue}/order`,
      { titles: order.map((entry) => entry.title.id) }));
    list.removeAttribute("aria-busy");
    if (answer) {
      entries = answer.queue.items;
      notify(`Queue order saved (${answer.moves} moved).`);
    }
    render();
  };

  const move = (from, to) => {
    if (to < 0 || to >= entries.length || from === to) return;
    const order = [...entries];
    const [moved] = order.splice(from, 1);
    order.splice(to, 0, moved);
    entries = order;
    render();
    save(order);
  };

  const remove = async (entry) => {
    const done = await guarded(async () => {
      await api("DELETE", `/v1/me/queues/${queue}/entries/${entry.title.id}`);
      return true;
    });
    if (!done) return;
    entries = entries.filter((other) => other !== entry);
    notify(`Removed ${entry.title.title}.`);
    render();
  };

  const row = (entry, index) => {
    const name = entry.title.title;
    const item = h("li", { class: "queue-row", draggable: "true", dataset: { index } },
      h("span", { class: "position" }, entry.position ?? index + 1),
      boxArt(entry.title, "small"),
      h("a", { class: "queue-title", href: `#/title/${entry.title.id}` }, name),
      h("span", { class: "muted" }, entry.queued_format ?? ""),
      h("span", { class: "row-actions" },
        h("button", { type: "button", "aria-label": `Move ${name} up`, disabled: index === 0,
          onclick: () => move(index, index - 1) }, "↑"),
        h("button", { type: "button", "aria-label": `Move ${name} down`,
          disabled: index === entries.length - 1, onclick: () => move(index, index + 1) }, "↓"),
        h("button", { type: "button", "aria-label": `Remove ${name}`,
          onclick: () => remove(entry) }, "Remove")));
    item.addEventListener("dragstart", (event) => {
      event.dataTransfer.setData("text/plain", String(index));
      event.dataTransfer.effectAllowed = "move";
      item.classList.add("dragging");
    });
    item.addEventListener("dragend", () => item.classList.remove("dragging"));
    item.addEventListener("dragover", (event) => {
      event.preventDefault();
      item.classList.add("drop-target");
    });
    item.addEventListener("dragleave", () => item.classList.remove("drop-target"));
    item.addEventListener("drop", (event) => {
      event.preventDefault();
      item.classList.remove("drop-target");
      move(Number(event.dataTransfer.getData("text/plain")), index);
    });
    return item;
  };

  const page = await guarded(() => api("GET",
    `/v1/me/queues/${queue}?state=available&page_size=${PAGE_SIZE}`));
  if (!page) return;
  entries = page.items;
  render();
}
