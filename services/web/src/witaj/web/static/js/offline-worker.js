// The service worker of one city (its scope is the city's addresses, e.g. /lublin/): it keeps the
// city's home, the pages the reader opened and the procedures they ticked readable with no connection.
//
// - Pages: the network first; a good answer (200, HTML, not marked `no-store`, not personal) is kept,
//   at most MAX_PAGES of them, the oldest dropped first. With no connection the kept copy is shown,
//   else the city's "you are offline" page in the reader's language.
// - Procedures with ticked steps are kept apart and never dropped (the page tells which, see offline.js).
// - The app's files (/static/, versioned addresses) come from the cache first. Caches are named after
//   this worker's version (`?v=` in its address, a hash of every static file), so an update installs
//   a new worker that replaces the old files.
// - Only GET is ever answered from or kept in a cache: form answers (POST) never are, and neither are
//   personal pages (inbox, registrations, subscriptions, questions) nor searches.

const VERSION = new URL(self.location.href).searchParams.get("v") || "0";
const SCOPE = new URL(self.registration.scope).pathname; // "/lublin/"
const CITY = SCOPE.split("/")[1];
const PAGES = `witaj-${CITY}-pages`;
const KEPT = `witaj-${CITY}-kept`;
const ASSETS = `witaj-${CITY}-assets-${VERSION}`;
const MAX_PAGES = 150;
const SLOW_NETWORK_MS = 8000;
const PERSONAL = /\/(inbox|registrations?|subscriptions?|notifications|questions?|ask|account|unsubscribe)(\/|$)/;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      const old = names.filter((name) => name.startsWith(`witaj-${CITY}-assets-`) && name !== ASSETS);
      await Promise.all(old.map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

function inCity(url) {
  return url.origin === self.location.origin && url.pathname.startsWith(SCOPE);
}

function isAsset(url) {
  return url.origin === self.location.origin && url.pathname.startsWith("/static/");
}

// A page worth keeping: the city's own, not personal, not a search or a form's outcome.
function keepable(url) {
  return (
    inCity(url) &&
    !PERSONAL.test(url.pathname) &&
    !/\/search(\/|$)/.test(url.pathname) &&
    !url.searchParams.has("feedback") &&
    !url.searchParams.has("suggested")
  );
}

function storable(response) {
  const type = response.headers.get("content-type") || "";
  const control = response.headers.get("cache-control") || "";
  return response.status === 200 && response.type === "basic" && type.startsWith("text/html") && !/no-store/.test(control);
}

async function trim(cache) {
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((key) => cache.delete(key)));
}

async function keepPage(url, response) {
  const cache = await caches.open(PAGES);
  await cache.put(url, response);
  await trim(cache);
}

async function savedPage(url) {
  for (const name of [KEPT, PAGES]) {
    const cache = await caches.open(name);
    const found = await cache.match(url, { ignoreVary: true });
    if (found) return found;
  }
  return null;
}

async function offlinePage(url) {
  const language = url.pathname.split("/")[2];
  const cache = await caches.open(PAGES);
  const own = await cache.match(`${SCOPE}${language}/offline`, { ignoreVary: true });
  if (own) return own;
  const any = (await cache.keys()).find((key) => new URL(key.url).pathname.endsWith("/offline"));
  return any ? cache.match(any, { ignoreVary: true }) : null;
}

function later(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}

// Tell the page made from a kept copy that it is one, so it shows the offline banner: the browser's
// `navigator.onLine` is not to be trusted there (it can say "online" with the network gone, as a
// captive portal or a dead mobile connection do, and headless Chromium does in a page a worker served).
// The page's client exists only once its document is created, hence the short wait for it.
function markCopy(event) {
  if (!event.resultingClientId) return;
  event.waitUntil(
    (async () => {
      for (let tries = 0; tries < 50; tries += 1) {
        const client = await self.clients.get(event.resultingClientId);
        if (client) return client.postMessage({ type: "copy" });
        await later(100);
      }
      return null;
    })(),
  );
}

async function page(event) {
  const url = new URL(event.request.url);
  const network = fetch(event.request).then((response) => {
    if (keepable(url) && storable(response)) event.waitUntil(keepPage(url.href, response.clone()));
    return response;
  });
  network.catch(() => null); // a failure is answered below; it must not go unnoticed as "unhandled"
  const saved = keepable(url) ? await savedPage(url.href) : null;
  let copy = null;
  try {
    // With a copy in hand, a connection that answers nothing for long is treated as none.
    const answer = saved ? await Promise.race([network, later(SLOW_NETWORK_MS)]) : await network;
    if (answer) return answer;
    copy = saved;
  } catch (error) {
    copy = saved || (await offlinePage(url));
    if (!copy) throw error;
  }
  markCopy(event);
  return copy;
}

async function asset(request) {
  const cache = await caches.open(ASSETS);
  const found = await cache.match(request);
  if (found) return found;
  try {
    const response = await fetch(request);
    if (response.status === 200 && response.type === "basic") await cache.put(request, response.clone());
    return response;
  } catch (error) {
    // A page kept before an update names the files of its own version: any version of the file will do.
    const older = await caches.match(request, { ignoreSearch: true });
    if (older) return older;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // answers to forms are never kept nor made up
  const url = new URL(request.url);
  if (isAsset(url)) event.respondWith(asset(request));
  else if (request.mode === "navigate" && inCity(url)) event.respondWith(page(event));
});

// Pages tell the worker what to keep: the page itself, the city's home and "offline" page in the
// reader's language, the files they use (`keep`), and the procedures with ticked steps (`tick`).
async function fetchInto(name, href) {
  const response = await fetch(href, { credentials: "same-origin" });
  if (!storable(response)) return;
  const cache = await caches.open(name);
  await cache.put(href, response);
  if (name === PAGES) await trim(cache);
}

async function keep({ pages = [], assets = [] }) {
  const cache = await caches.open(PAGES);
  const files = await caches.open(ASSETS);
  const work = [];
  for (const href of pages) {
    const url = new URL(href, self.location.origin);
    if (keepable(url) && !(await cache.match(url.href, { ignoreVary: true }))) work.push(fetchInto(PAGES, url.href));
  }
  for (const href of assets) {
    const url = new URL(href, self.location.origin);
    if (isAsset(url) && !(await files.match(url.href))) work.push(files.add(url.href));
  }
  await Promise.allSettled(work);
}

async function tick({ language, pages = [] }) {
  const kept = await caches.open(KEPT);
  const wanted = new Set(pages.map((href) => new URL(href, self.location.origin)).filter(keepable).map((url) => url.href));
  for (const key of await kept.keys()) {
    if (new URL(key.url).pathname.split("/")[2] === language && !wanted.has(key.url)) await kept.delete(key);
  }
  for (const href of wanted) {
    if (await kept.match(href, { ignoreVary: true })) continue;
    const copy = await (await caches.open(PAGES)).match(href, { ignoreVary: true });
    if (copy) await kept.put(href, copy);
    else await fetchInto(KEPT, href).catch(() => null);
  }
}

self.addEventListener("message", (event) => {
  const message = event.data || {};
  const work = message.type === "keep" ? keep(message) : message.type === "tick" ? tick(message) : null;
  if (!work) return;
  event.waitUntil(work.catch(() => null).then(() => event.ports[0]?.postMessage({ done: message.type })));
});
