// Events and notifications pages. Everything works without this module; it adds:
// - "Use my location" on the events list: the browser's position, rounded to about a kilometre, fills
//   the filter form's hidden fields and the form is sent (nothing is stored; the address carries it);
// - forms marked data-once are sent once: a second tap while the first is on its way does nothing
//   (the server books once anyway; this only spares the reader a second wait).

function nearMe(form) {
  const button = form.querySelector("[data-near-button]");
  if (!button || !("geolocation" in navigator)) return;
  const status = form.querySelector("[data-near-status]");
  const lat = form.querySelector("[data-near-lat]");
  const lng = form.querySelector("[data-near-lng]");
  const radius = form.querySelector("[data-near-radius]");
  for (const control of form.querySelectorAll("[data-near-control]")) control.hidden = false;
  for (const note of form.querySelectorAll("[data-near-without-script]")) note.hidden = true;
  radius.disabled = false;

  const say = (text) => {
    if (status) status.textContent = text || "";
  };

  button.addEventListener("click", () => {
    say(status?.dataset.finding);
    button.setAttribute("aria-disabled", "true");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(2);
        lng.value = position.coords.longitude.toFixed(2);
        lat.disabled = false;
        lng.disabled = false;
        form.requestSubmit ? form.requestSubmit() : form.submit();
      },
      (error) => {
        button.removeAttribute("aria-disabled");
        say(error.code === error.PERMISSION_DENIED ? status?.dataset.denied : status?.dataset.failed);
      },
      { enableHighAccuracy: false, maximumAge: 600000, timeout: 15000 },
    );
  });

  // Without a position the distance means nothing: it is sent only with one.
  form.addEventListener("submit", () => {
    if (lat.disabled) radius.disabled = true;
  });
}

function sendOnce(form) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sending === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "true";
    for (const button of form.querySelectorAll("button[type=submit]")) button.setAttribute("aria-disabled", "true");
  });
}

// Coming back to the page (the browser's back button keeps it in memory): the forms can be sent again.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-once]")) {
    delete form.dataset.sending;
    for (const button of form.querySelectorAll("button[aria-disabled]")) button.removeAttribute("aria-disabled");
  }
});

for (const form of document.querySelectorAll("form[data-near-form]")) nearMe(form);
for (const form of document.querySelectorAll("form[data-once]")) sendOnce(form);
