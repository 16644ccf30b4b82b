// The classic walkthrough through a client generated from openapi/openapi.json:
// find Jurassic Park, sign in with an access token pair, queue the title, see it queued,
// and read a problem document. Every value is read through the generated types.
//
//   npx openapi-typescript ../../openapi/openapi.json -o api.d.ts
//   npx tsc -p tsconfig.json && node out/walkthrough.js BASE_URL ACCESS_TOKEN ACCESS_TOKEN_SECRET
//
// It prints one JSON summary line, and fails (non-zero exit) on any unexpected answer.
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";

type Title = components["schemas"]["Title"];
type QueueEntry = components["schemas"]["QueueEntry"];
type Problem = components["schemas"]["Problem"];

const JURASSIC_PARK = "movies/60020435";

const [baseUrl, accessToken, accessTokenSecret] = process.argv.slice(2);
assert.ok(baseUrl && accessToken && accessTokenSecret, "usage: BASE_URL TOKEN SECRET");

const client = createClient<paths>({ baseUrl });

const found = await client.GET("/v1/titles", {
  params: { query: { term: "Jurassic Park", include: "cast" } },
});
assert.ok(found.data, `search failed: ${found.response.status}`);
const title: Title | undefined = found.data.items.find((t) => t.id === JURASSIC_PARK);
assert.ok(title, "Jurassic Park is not in the results");
assert.equal(title.kind, "movie");
const castNames = (title.cast_members ?? []).map((person) => person.name);

const grant = await client.POST("/v1/auth/import", {
  body: { access_token: accessToken, access_token_secret: accessTokenSecret },
});
assert.ok(grant.data, `import failed: ${grant.response.status}`);
const signedIn = createClient<paths>({
  baseUrl,
  headers: { Authorization: `Bearer ${grant.data.session_token}` },
});

const added = await signedIn.POST("/v1/me/queues/{queue}/entries", {
  params: { path: { queue: "disc" } },
  body: { title: title.id, position: 1 },
});
assert.ok(added.data, `add failed: ${added.response.status}`);
assert.equal(added.response.status, 201);

const queue = await signedIn.GET("/v1/me/queues/{queue}", {
  params: { path: { queue: "disc" }, query: { state: "available" } },
});
assert.ok(queue.data, `queue read failed: ${queue.response.status}`);
const queued: QueueEntry | undefined = queue.data.items.find((e) => e.title.id === title.id);
assert.ok(queued, "Jurassic Park is not in the queue");

const again = await signedIn.POST("/v1/me/queues/{queue}/entries", {
  params: { path: { queue: "disc" } },
  body: { title: title.id, position: 1 },
});
const conflict: Problem | undefined = again.error;
assert.ok(conflict, `a second add answered ${again.response.status}`);

const bad = await client.GET("/v1/titles", {
  params: { query: { term: "Jurassic Park", page_size: 0 } },
});
const problem: Problem | undefined = bad.error;
assert.ok(problem, `page_size=0 answered ${bad.response.status}`);

console.log(
  JSON.stringify({
    found: { id: title.id, title: title.title, cast_members: castNames },
    user_id: grant.data.user_id,
    added: { status: added.response.status, id: added.data.title.id, position: added.data.position },
    queued: { id: queued.title.id, title: queued.title.title, position: queued.position },
    conflict: { status: conflict.status, title: conflict.title },
    problem: {
      status: problem.status,
      content_type: bad.response.headers.get("content-type"),
      title: problem.title,
      error_locs: (problem.errors ?? []).map((error) => error.loc),
    },
  }),
);
