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

// After a form's box is swapped in, move focus to its message so screen readers and keyboards follow
// the change. The box replaced itself (outerHTML), so it is found again by its id. Boxes that update by
// themselves as someone types (the back office's live preview) are not forms and keep the focus away.
document.addEventListener("htmx:afterSwap", (event) => {
  // htmx names the swapped-in element `elt`; the element that made the request is in the request's
  // configuration.
  const config = event.detail && event.detail.requestConfig;
  if (!(config && config.elt instanceof HTMLFormElement)) return;
  const old = event.detail && event.detail.target;
  const box = old && old.id ? document.getElementById(old.id) : null;
  if (box) {
    const message = box.querySelector("[role=status], [role=alert]") || box;
    message.setAttribute("tabindex", "-1");
    message.focus();
  }
});
