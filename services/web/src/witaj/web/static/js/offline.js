// Reading with no connection: a banner says when the reader is offline, and the city's service worker
// (offline-worker.js, its scope the city) is registered and told what to keep: this page, the city's
// home and "offline" page in the reader's language, the files they use, and the procedures whose steps
// the reader ticked (the ticks themselves stay in this browser's localStorage, see steps.js).

const STEPS = "witaj:steps:";
const banner = document.querySelector("[data-offline-banner]");

function showConnection() {
  if (banner) banner.hidden = navigator.onLine;
}

window.addEventListener("online", showConnection);
window.addEventListener("offline", showConnection);
showConnection();
// A page the city's worker made from a kept copy (the network failed) is told so: the banner shows
// even where the browser still claims to be online.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (banner && event.data && event.data.type === "copy") banner.hidden = false;
  });
  navigator.serviceWorker.startMessages();
}

function tell(worker, message) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    worker.postMessage(message, [channel.port2]);
    setTimeout(resolve, 15000);
  });
}

// The procedures of this city with at least one ticked step, in the reader's language.
function tickedProcedures(city, language) {
  const pages = [];
  for (let i = 0; i < window.localStorage.length; i += 1) {
    const key = window.localStorage.key(i) || "";
    if (!key.startsWith(`${STEPS}${city}/`)) continue;
    try {
      const ticked = JSON.parse(window.localStorage.getItem(key) || "[]");
      if (Array.isArray(ticked) && ticked.length) pages.push(`/${city}/${language}/processes/${key.slice(STEPS.length + city.length + 1)}`);
    } catch {
      // a value some other script wrote: not ours to read
    }
  }
  return pages;
}

function filesOfThisPage() {
  const found = new Set();
  for (const element of document.querySelectorAll("link[rel~=stylesheet][href], link[rel~=icon][href], script[src], img[src]")) {
    const url = new URL(element.href || element.src, window.location.href);
    if (url.origin === window.location.origin && url.pathname.startsWith("/static/")) found.add(url.pathname + url.search);
  }
  return [...found];
}

async function register(config) {
  const { city, language } = config.dataset;
  const registration = await navigator.serviceWorker.register(config.dataset.worker, { scope: `/${city}/` });
  const ready = await navigator.serviceWorker.ready;
  const worker = ready.active || registration.active;
  if (!worker) return;
  const pages = [window.location.pathname + window.location.search, config.dataset.home, config.dataset.offlinePage];
  await tell(worker, { type: "keep", pages, assets: filesOfThisPage() });
  const tick = () => tell(worker, { type: "tick", language, pages: tickedProcedures(city, language) });
  await tick();
  document.addEventListener("witaj:steps-changed", tick);
  document.documentElement.dataset.offlineReady = "true";
}

const config = document.querySelector("[data-offline-worker]");
if (config && "serviceWorker" in navigator && window.isSecureContext) {
  register(config).catch(() => {
    // no service worker (private mode, or switched off): pages still work online
  });
}
