// The insights' live dashboard (everything works without it: the page is complete, the pickers are a form).
// It listens to the page's live stream (Server-Sent Events from the web app, made from the stats API's
// stream) and, when a metric a panel shows has changed, asks htmx to fetch that panel again. Bursts are
// gathered: one fetch per panel per moment. A table a reader opened stays open across the update.

const status = document.getElementById("live-status");
const GATHER_MS = 150;
const pending = new Map();
// The tables a reader opened, by id, kept for as long as the page is open: a panel may be fetched again
// while an earlier fetch of it is still on its way, so what was open is not read from the panel at fetch
// time but remembered as the reader opens and closes tables.
const opened = new Set();

function refresh(panel) {
  if (pending.has(panel.id)) return;
  pending.set(
    panel.id,
    window.setTimeout(() => {
      pending.delete(panel.id);
      const current = document.getElementById(panel.id);
      if (current && window.htmx) window.htmx.trigger(current, "live");
    }, GATHER_MS),
  );
}

// "toggle" does not bubble: listened for on the way down.
document.addEventListener(
  "toggle",
  (event) => {
    const table = event.target;
    if (!(table instanceof HTMLDetailsElement) || !table.id || !table.closest("[data-live]")) return;
    if (table.open) opened.add(table.id);
    else opened.delete(table.id);
  },
  true,
);

// htmx announces each new element it put in the page (the old panel is gone by then).
document.addEventListener("htmx:load", (event) => {
  const panel = event.detail?.elt;
  if (!(panel instanceof Element)) return;
  for (const table of panel.querySelectorAll("details[id]")) {
    if (opened.has(table.id)) table.open = true;
  }
});

if (status && window.EventSource) {
  const source = new EventSource(status.dataset.liveSource);
  source.addEventListener("open", () => {
    status.textContent = status.dataset.liveOn;
    status.dataset.state = "on";
  });
  source.addEventListener("error", () => {
    status.textContent = status.dataset.liveOff;
    status.dataset.state = "off";
  });
  source.addEventListener("changed", (event) => {
    for (const panel of document.querySelectorAll("[data-live]")) {
      if (panel.dataset.live === event.data) refresh(panel);
    }
  });
  window.addEventListener("pagehide", () => source.close());
}
