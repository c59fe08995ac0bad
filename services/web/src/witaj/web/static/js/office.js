// The back office's pages, a little kinder with JavaScript (everything works without it):
// - a page that comes back with problems puts the focus on its error summary (GOV.UK's pattern), so a
//   screen reader reads what went wrong and a keyboard is one Tab away from the first link to a field;
// - a page shown again after "Add a step", "Move up" or "Preview" puts the focus where its address
//   points (the new step's first input, the preview's heading); a confirmation is announced.

function focusOn(element) {
  if (!element) return false;
  const target = element.matches("input, select, textarea, button, a[href], [tabindex]")
    ? element
    : element.querySelector("input:not([type=hidden]), select, textarea") || element;
  if (!target.hasAttribute("tabindex") && !target.matches("input, select, textarea, button, a[href]")) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus();
  return document.activeElement === target;
}

function focusWhereThePageSays() {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    focusOn(summary);
    return;
  }
  const wanted = window.location.hash ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null;
  if (!focusOn(wanted)) focusOn(document.querySelector("[data-announce]"));
}

// After the browser's own scroll to the address's fragment, which moves the focus to the fragment (or,
// for an element that cannot take it, back to the page) once the page has loaded.
window.addEventListener("load", () => window.setTimeout(focusWhereThePageSays, 0));

// A link in the error summary moves the focus to its input, not only the view.
for (const link of document.querySelectorAll("[data-error-summary] a[href^='#']")) {
  link.addEventListener("click", (event) => {
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      focusOn(target);
    }
  });
}
