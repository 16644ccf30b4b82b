// The home page, search results and a title's details (with queue buttons and star rating).
import { api, session, titlePath } from "./api.js";
import { boxArt, h, section, titleCard } from "./dom.js";
import { guarded, notify } from "./ui.js";

const DETAIL_PARTS = "synopsis,cast,directors,formats";
const HEAD_SIZE = 5;

function failure(error) {
  return h("p", { class: "error-text" }, error instanceof Error ? error.message : String(error));
}

function queueHead(page, queue) {
  if (page.items.length === 0) return h("p", { class: "muted" }, "Nothing queued.");
  return h("div", {},
    h("ol", { class: "head-list" }, page.items.map((entry) =>
      h("li", {}, h("a", { href: `#/title/${entry.title.id}` }, entry.title.title)))),
    h("p", {}, h("a", { href: `#/queue/${queue}` }, `All ${page.total} in the ${queue} queue`)));
}

const HOME_SECTIONS = "profile,disc_queue,instant_queue,at_home,recommendations";
const PICKS_SIZE = 8;

function problemText(problem) {
  return h("p", { class: "error-text" }, problem.detail);
}

/** Profile, queue heads, discs at home and recommendations: one call, each part on its own. */
export async function showHome(view) {
  const profile = section("Profile", "profile");
  const disc = section("Disc queue");
  const instant = section("Instant queue");
  const atHome = section("At home");
  const picks = section("Recommended for you", "wide");
  view.replaceChildren(h("h1", { class: "visually-hidden" }, "Home"),
    h("div", { class: "home" }, profile.node, disc.node, instant.node, atHome.node, picks.node));
  const head = (page) => ({ ...page, items: page.items.slice(0, HEAD_SIZE) });
  const parts = [
    [profile, "profile", (user) => h("div", {},
      h("p", { class: "name" }, `${user.first_name} ${user.last_name}`),
      user.nickname ? h("p", { class: "muted" }, user.nickname) : null,
      h("p", {}, `Formats: ${user.preferred_formats.join(", ") || "none"}`),
      h("p", {}, user.can_instant_watch ? "Can watch instantly" : "Discs only"))],
    [disc, "disc_queue", (page) => queueHead(head(page), "disc")],
    [instant, "instant_queue", (page) => queueHead(head(page), "instant")],
    [atHome, "at_home", (entries) => entries.length === 0
      ? h("p", { class: "muted" }, "No disc at home.")
      : h("ul", { class: "head-list" }, entries.map((entry) => h("li", {},
        h("a", { href: `#/title/${entry.title.id}` }, entry.title.title))))],
    [picks, "recommendations", (page) => h("ul", { class: "cards" }, page.items.map(titleCard))],
  ];
  let home;
  try {
    home = await api("GET", `/v1/me/home?sections=${HOME_SECTIONS}&page_size=${PICKS_SIZE}`);
  } catch (error) {
    parts.forEach(([part]) => part.fill(failure(error)));
    if (error?.status === 401) await guarded(() => Promise.reject(error));
    return;
  }
  parts.forEach(([part, name, render]) => {
    const problem = home.problems[name];
    part.fill(problem ? problemText(problem) : render(home[name]));
  });
}

/** One page of search results as cards. */
export async function showSearch(view, term) {
  const results = section(`Results for “${term}”`, "wide");
  view.replaceChildren(results.node);
  const page = await guarded(() => api("GET",
    `/v1/titles?term=${encodeURIComponent(term)}&page_size=24`));
  if (!page) return results.fill(h("p", { class: "muted" }, "No results."));
  results.fill(
    h("p", { class: "muted" }, `${page.total} titles`),
    h("ul", { class: "cards" }, page.items.map(titleCard)));
}

function people(label, list) {
  if (!list || list.length === 0) return null;
  return h("p", {}, h("strong", {}, `${label}: `), list.map((person) => person.name).join(", "));
}

function facts(title) {
  const bits = [title.release_year, title.maturity_rating?.value,
    title.runtime_s ? `${Math.round(title.runtime_s / 60)} min` : null,
    title.average_rating ? `★ ${title.average_rating.toFixed(1)} average` : null];
  return h("p", { class: "facts" }, bits.filter(Boolean).join(" · "));
}

/** Star rating: five radio buttons (keyboard friendly) and "not interested". */
function ratingControl(title, current) {
  const name = `rating-${title.id}`;
  const status = h("span", { class: "muted", "aria-live": "polite" },
    current ? `Your rating: ${current}` : "Not rated yet");
  const rate = async (value) => {
    const answer = await guarded(() => api("PUT", `/v1/me/ratings/${title.id}`, { rating: value }));
    if (answer) status.textContent = value === "not_interested"
      ? "Marked not interested" : `Your rating: ${answer.user_rating ?? value}`;
  };
  const stars = [1, 2, 3, 4, 5].map((value) => h("label", { class: "star" },
    h("input", { type: "radio", name, value, checked: current === value,
      onchange: () => rate(value) }),
    h("span", { "aria-hidden": "true" }, "★"),
    h("span", { class: "visually-hidden" }, `${value} star${value > 1 ? "s" : ""}`)));
  return h("fieldset", { class: "rating" }, h("legend", {}, "Rate it"),
    h("div", { class: "stars" }, stars),
    h("button", { type: "button", class: "link", onclick: () => rate("not_interested") },
      "Not interested"),
    status);
}

function queueButton(title, queue) {
  const button = h("button", { type: "button", class: "primary" }, `Add to ${queue} queue`);
  button.addEventListener("click", async () => {
    button.disabled = true;
    const entry = await guarded(() => api("POST", `/v1/me/queues/${queue}/entries`,
      { title: title.id }));
    button.disabled = false;
    if (entry) notify(`Added to the ${queue} queue at position ${entry.position ?? "saved"}.`);
  });
  return button;
}

/** A title: box art, facts, synopsis, people; queue buttons and rating when signed in. */
export async function showTitle(view, id) {
  view.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  const title = await guarded(() => api("GET", `${titlePath(id)}?include=${DETAIL_PARTS}`));
  if (!title) return view.replaceChildren(h("p", {}, h("a", { href: "#/home" }, "Back home")));
  const actions = h("div", { class: "actions" });
  const details = h("article", { class: "details" },
    boxArt(title, "large"),
    h("div", { class: "about" },
      h("h1", {}, title.title), facts(title),
      title.genres.length ? h("p", { class: "genres" }, title.genres.join(" · ")) : null,
      h("p", { class: "synopsis" }, title.synopsis_text ?? ""),
      people("Starring", title.cast?.slice(0, 8)), people("Directed by", title.directors),
      title.formats?.length ? h("p", {}, h("strong", {}, "Formats: "), title.formats.join(", ")) : null,
      actions));
  view.replaceChildren(details);
  if (!session.token) {
    actions.append(h("p", { class: "muted" }, "Sign in to queue and rate this title."));
    return;
  }
  actions.append(queueButton(title, "disc"), queueButton(title, "instant"));
  const ratings = await guarded(() => api("GET",
    `/v1/me/ratings?titles=${encodeURIComponent(title.id)}&kind=actual`));
  actions.append(ratingControl(title, ratings?.[0]?.user_rating ?? null));
}
