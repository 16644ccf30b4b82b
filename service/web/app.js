// The page: routes (#/home, #/search?term=, #/title/{kind}/{id}, #/queue/{disc|instant}),
// the search box with autocomplete, messages and progress.
import { api, onBusyChange, session, signInUrl, takeSessionFromFragment } from "./api.js";
import { h } from "./dom.js";
import { showQueue } from "./queue.js";
import { clearMessage, guarded, notify, renderAccount } from "./ui.js";
import { showHome, showSearch, showTitle } from "./views.js";

const view = document.getElementById("view");
const progress = document.getElementById("progress");

function showSignedOut() {
  const page = document.getElementById("signed-out").content.cloneNode(true);
  page.getElementById("sign-in").href = signInUrl();
  page.getElementById("import").addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(event.target));
    const grant = await guarded(() => api("POST", "/v1/auth/import", fields));
    if (!grant) return;
    session.save(grant.session_token, grant.user_id);
    renderAccount();
    location.hash = "#/home";
  });
  view.replaceChildren(page);
}

async function route() {
  const [path, query] = location.hash.slice(1).split("?");
  const parts = (path || "/home").split("/").filter(Boolean);
  renderAccount();
  if (parts[0] === "search") {
    const term = new URLSearchParams(query).get("term") ?? "";
    document.getElementById("search-term").value = term;
    return showSearch(view, term);
  }
  if (parts[0] === "title" && parts.length >= 3) return showTitle(view, parts.slice(1).join("/"));
  if (!session.token) return showSignedOut();
  if (parts[0] === "queue" && ["disc", "instant"].includes(parts[1])) {
    return showQueue(view, parts[1]);
  }
  return showHome(view);
}

function wireSearch() {
  const form = document.getElementById("search");
  const input = document.getElementById("search-term");
  const list = document.getElementById("suggestions");
  let timer = 0;
  let asked = "";
  const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); };
  const choose = (text) => {
    input.value = text;
    close();
    location.hash = `#/search?term=${encodeURIComponent(text)}`;
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    choose(input.value.trim());
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const term = input.value.trim();
    if (term.length < 2) return close();
    timer = setTimeout(async () => {
      asked = term;
      const answer = await api("GET", `/v1/titles/autocomplete?term=${encodeURIComponent(term)}`)
        .catch(() => null);
      if (!answer || asked !== term) return;
      list.replaceChildren(...answer.items.map((text, index) => h("li", {
        role: "option", id: `suggestion-${index}`, tabindex: "-1",
        onmousedown: (event) => { event.preventDefault(); choose(text); },
      }, text)));
      list.hidden = answer.items.length === 0;
      input.setAttribute("aria-expanded", String(!list.hidden));
    }, 150);
  });
  input.addEventListener("keydown", (event) => {
    const options = [...list.children];
    if (list.hidden || options.length === 0) return;
    const current = options.findIndex((node) => node.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = (current + step + options.length) % options.length;
      options.forEach((node, index) => node.setAttribute("aria-selected", String(index === next)));
      input.setAttribute("aria-activedescendant", options[next].id);
    } else if (event.key === "Enter" && current >= 0) {
      event.preventDefault();
      choose(options[current].textContent);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);
}

function wireAccount() {
  document.getElementById("sign-out").addEventListener("click", async () => {
    await guarded(() => api("POST", "/v1/auth/sign-out"));
    session.clear();
    history.replaceState(null, "", `${location.pathname}#/home`);
    await route();
    notify("Signed out.");
  });
}

onBusyChange((busy) => {
  progress.hidden = !busy;
  document.body.setAttribute("aria-busy", String(busy));
});
if (takeSessionFromFragment()) notify("Signed in.");
wireSearch();
wireAccount();
window.addEventListener("hashchange", () => { clearMessage(); route(); });
route();
