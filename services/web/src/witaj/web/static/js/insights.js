// The insights' live dashboard (everything works without it: the page is complete, the pickers are a form).
// It listens to the page's live stream (Server-Sent Events from the web app, made from the stats API's
// stream) and, when a metric a panel shows has changed, asks htmx to fetch that panel again. Bursts are
// gathered: one fetch per panel per moment. A table a reader opened stays open across the update.

const status = document.getElementById("live-status");
const GATHER_MS = 150;
const pending = new Map();
const opened = new Map();

function refresh(panel) {
  if (pending.has(panel.id)) return;
  pending.set(
    panel.id,
    window.setTimeout(() => {
      pending.delete(panel.id);
      const current = document.getElementById(panel.id);
      if (!current || !window.htmx) return;
      opened.set(current.id, [...current.querySelectorAll("details[open]")].map((d) => d.id));
      window.htmx.trigger(current, "live");
    }, GATHER_MS),
  );
}

// htmx announces each new element it put in the page (the old panel is gone by then).
document.addEventListener("htmx:load", (event) => {
  const panel = event.detail?.elt;
  const ids = panel && opened.get(panel.id);
  if (!ids) return;
  opened.delete(panel.id);
  for (const id of ids) document.getElementById(id)?.setAttribute("open", "");
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
