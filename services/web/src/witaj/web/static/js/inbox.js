// The inbox, live: new messages appear at the top as they arrive, without reloading the page.
// The web app relays the reader's notification stream (Server-Sent Events) and sends each message as
// the page shows it, so this module only puts it in place, once. Without it, a reload shows them.

const list = document.querySelector("[data-inbox-stream]");
const status = document.querySelector("[data-live-status]");
const empty = document.querySelector("[data-inbox-empty]");
const announce = document.querySelector("[data-inbox-announce]");
const RETRY_MS = 15000;

function showStatus(live) {
  if (!status) return;
  status.textContent = live ? status.dataset.live : status.dataset.paused;
  status.classList.toggle("is-live", live);
}

function add(data) {
  if (!data || typeof data.id !== "string" || typeof data.html !== "string") return;
  if (document.getElementById(data.id)) return; // already shown (the page had it, or it came twice)
  const template = document.createElement("template");
  template.innerHTML = data.html.trim();
  const item = template.content.firstElementChild;
  if (!item || item.id !== data.id) return;
  item.classList.add("is-new");
  list.prepend(item);
  if (window.htmx) window.htmx.process(item); // its "mark as read" form answers in place too
  if (empty) empty.hidden = true;
  if (announce) {
    const title = item.querySelector(".message__title");
    announce.textContent = `${list.dataset.newMessage} ${title ? title.textContent.trim() : ""}`;
  }
}

function connect() {
  const source = new EventSource(list.dataset.inboxStream);
  source.addEventListener("open", () => showStatus(true));
  source.addEventListener("message", (event) => {
    try {
      add(JSON.parse(event.data));
    } catch {
      // not a message this page can show: the next one may be
    }
  });
  source.addEventListener("error", () => {
    showStatus(false);
    if (source.readyState === EventSource.CLOSED) {
      // The app answered with an error (the service is away): the browser gives up, so try later.
      window.setTimeout(connect, RETRY_MS);
    }
    // Otherwise the browser reconnects by itself, asking for what it missed.
  });
}

if (list && "EventSource" in window) connect();
