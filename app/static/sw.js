// The web app's service worker: keeps the app shell (page, scripts, wasm, styles) so TheSet opens
// with no network after one visit. The list and the version come from the build (shell.json); a
// new version is fetched on the next online visit, then the page is told so it can say so.
// API answers are never cached here: the offline core keeps its own data in its store.
const SHELL = "theset-shell";

async function manifest() {
  const res = await fetch("./shell.json", { cache: "no-cache" });
  if (!res.ok) throw new Error(`shell.json: ${res.status}`);
  return res.json();
}

// Caches the build named by shell.json unless it is cached already; drops older builds and tells
// open pages when a newer one replaced them.
async function refresh() {
  const { version, files } = await manifest();
  const name = `${SHELL}-${version}`;
  const names = await caches.keys();
  if (names.includes(name)) return;
  const cache = await caches.open(name);
  await cache.addAll(["./", ...files]);
  const old = names.filter((n) => n.startsWith(SHELL));
  await Promise.all(old.map((n) => caches.delete(n)));
  if (old.length > 0) {
    for (const client of await self.clients.matchAll()) client.postMessage({ kind: "updated" });
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(refresh().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  // The app lives under /app/ and at the bare host; the API and the server's own pages (a mailed
  // link's page, the API docs) always go to the network.
  const isPage = event.request.mode === "navigate";
  const ours = url.pathname.startsWith("/app/") || (isPage && url.pathname === "/");
  if (!ours) return;
  event.respondWith((async () => {
    // Any page under /app/ is the same page (deep links).
    // Online visits look for a newer build behind the page's back.
    if (isPage) event.waitUntil(refresh().catch(() => {}));
    const cached = await caches.match(isPage ? "./" : event.request, { ignoreSearch: true });
    if (cached) return cached;
    return fetch(event.request);
  })());
});
