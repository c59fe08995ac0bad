// Forms enhanced by htmx answer in place. If the answer is an error page (an expired form, say) or
// nothing comes back, the form is sent the ordinary way, so the reader sees the full page that explains.

function resubmit(event) {
  const form = event.detail && event.detail.elt;
  if (form instanceof HTMLFormElement && !form.dataset.resubmitted) {
    form.dataset.resubmitted = "true";
    HTMLFormElement.prototype.submit.call(form);
  }
}

document.addEventListener("htmx:responseError", resubmit);
document.addEventListener("htmx:sendError", resubmit);

// After a box is swapped in, move focus to it so screen readers and keyboards follow the change.
document.addEventListener("htmx:afterSwap", (event) => {
  const box = event.detail && event.detail.target;
  if (box instanceof HTMLElement && box.isConnected) {
    const message = box.querySelector("[role=status], [role=alert]") || box;
    message.setAttribute("tabindex", "-1");
    message.focus({ preventScroll: false });
  }
});
