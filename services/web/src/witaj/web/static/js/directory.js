// The directory sorted by distance from the reader. Their position is asked of the browser only when
// they tap the button, used here to measure and reorder the list, and never sent anywhere (no request is
// made). Without JavaScript, or when the position cannot be had, the list stays sorted by name.

const EARTH_KM = 6371.0088;

function radians(degrees) {
  return (degrees * Math.PI) / 180;
}

export function distanceKm(lat1, lon1, lat2, lon2) {
  const dLat = radians(lat2 - lat1);
  const dLon = radians(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(radians(lat1)) * Math.cos(radians(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.sqrt(Math.min(1, a)));
}

// After the order changes, the numbers before each name (and on the map's markers) follow it.
function renumber(list) {
  list.querySelectorAll(".place-card__number").forEach((number, index) => {
    number.textContent = String(index + 1);
  });
  document.dispatchEvent(new CustomEvent("witaj:directory-changed"));
}

function sortByDistance(list, button, status, position) {
  const { latitude, longitude } = position.coords;
  const format = new Intl.NumberFormat(button.dataset.lang || undefined, { maximumFractionDigits: 1 });
  const entries = [...list.children].map((entry) => {
    const lat = Number.parseFloat(entry.dataset.lat);
    const lon = Number.parseFloat(entry.dataset.lon);
    const known = Number.isFinite(lat) && Number.isFinite(lon);
    return { entry, km: known ? distanceKm(latitude, longitude, lat, lon) : Number.POSITIVE_INFINITY };
  });
  entries.sort((a, b) => a.km - b.km);
  for (const { entry, km } of entries) {
    const label = entry.querySelector("[data-distance]");
    if (label && Number.isFinite(km)) {
      label.textContent = (button.dataset.distance || "{distance} km").replace("{distance}", format.format(Math.max(km, 0.1)));
      label.hidden = false;
    }
    list.append(entry);
  }
  renumber(list);
  status.textContent = button.dataset.sorted || "";
}

function enhance(tools) {
  const list = document.querySelector("[data-directory]");
  const button = tools.querySelector("[data-near-me]");
  const status = tools.querySelector("[data-near-status]");
  tools.hidden = false;
  if (!button) return;
  if (!list || !("geolocation" in navigator)) {
    button.hidden = true;
    return;
  }
  button.addEventListener("click", () => {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        sortByDistance(list, button, status, position);
        button.disabled = false;
      },
      () => {
        status.textContent = button.dataset.failed || "";
        button.disabled = false;
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });
}

const tools = document.querySelector("[data-directory-tools]");
if (tools) enhance(tools);
