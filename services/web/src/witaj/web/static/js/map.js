// The directory's map: drawn from the entries already in the page (no second request for data), only
// when the reader asks for it (Leaflet and the tiles cost data on a phone), with tiles from the one
// server the deployment names. The list stays the way to use the directory: each marker carries the
// entry's number and name, and choosing a marker brings the reader to that entry in the list.

let leaflet = null;

function load(tag, attributes) {
  return new Promise((resolve, reject) => {
    const element = document.createElement(tag);
    Object.assign(element, attributes);
    element.addEventListener("load", resolve, { once: true });
    element.addEventListener("error", reject, { once: true });
    document.head.append(element);
  });
}

async function loadLeaflet(box) {
  if (!leaflet) {
    leaflet = Promise.all([
      load("link", { rel: "stylesheet", href: box.dataset.leafletCss }),
      load("script", { src: box.dataset.leafletJs }),
    ]).then(() => window.L);
  }
  return leaflet;
}

function markerIcon(L, number, name) {
  const html = document.createElement("span");
  const digits = document.createElement("span");
  digits.className = "map-marker__number";
  digits.setAttribute("aria-hidden", "true");
  digits.textContent = number;
  const label = document.createElement("span");
  label.className = "visually-hidden";
  label.textContent = `${number}. ${name}`;
  html.append(digits, label);
  return L.divIcon({ className: "map-marker", html, iconSize: [34, 34], iconAnchor: [17, 17] });
}

function showEntry(entry) {
  document.querySelectorAll(".place-card.is-selected").forEach((card) => card.classList.remove("is-selected"));
  entry.classList.add("is-selected");
  entry.scrollIntoView({ block: "center" });
  entry.querySelector("a")?.focus({ preventScroll: true });
}

function draw(L, map, layer) {
  layer.clearLayers();
  const points = [];
  for (const entry of document.querySelectorAll("[data-directory] > li[data-lat]")) {
    const point = [Number.parseFloat(entry.dataset.lat), Number.parseFloat(entry.dataset.lon)];
    if (!point.every(Number.isFinite)) continue;
    const number = entry.querySelector(".place-card__number")?.textContent.trim() || "";
    const name = entry.querySelector(".place-card__title a")?.textContent.trim() || "";
    const marker = L.marker(point, { icon: markerIcon(L, number, name), title: name, keyboard: true, riseOnHover: true });
    marker.on("click", () => showEntry(entry));
    layer.addLayer(marker);
    points.push(point);
  }
  if (points.length === 1) map.setView(points[0], 15);
  else if (points.length > 1) map.fitBounds(points, { padding: [24, 24], maxZoom: 16 });
}

async function open(box, button) {
  const L = await loadLeaflet(box);
  const map = L.map(box, { zoomControl: false, attributionControl: false, maxZoom: Number(box.dataset.maxZoom) || 18 });
  L.control.zoom({ zoomInTitle: box.dataset.zoomIn, zoomOutTitle: box.dataset.zoomOut }).addTo(map);
  L.tileLayer(box.dataset.tiles, { maxZoom: Number(box.dataset.maxZoom) || 18, crossOrigin: false }).addTo(map);
  const layer = L.layerGroup().addTo(map);
  draw(L, map, layer);
  document.addEventListener("witaj:directory-changed", () => draw(L, map, layer));
  return map;
}

function enhance(box, button) {
  const panel = box.closest("[data-map-box]");
  const showText = button.textContent;
  let map = null;
  button.addEventListener("click", async () => {
    const showing = panel.hidden;
    panel.hidden = !showing;
    button.setAttribute("aria-expanded", String(showing));
    button.textContent = showing ? button.dataset.hide : showText;
    if (!showing) return;
    try {
      if (!map) map = await open(box, button);
      else map.invalidateSize();
    } catch {
      panel.hidden = true;
      button.hidden = true; // the map could not be loaded (offline, say): the list is all there is
    }
  });
}

const box = document.querySelector("[data-map]");
const button = document.querySelector("[data-show-map]");
if (box && button) enhance(box, button);
