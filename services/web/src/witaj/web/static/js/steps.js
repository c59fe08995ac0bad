// Ticking a procedure's steps: kept in this browser only (localStorage), never sent anywhere.
// Without JavaScript the steps are still all there to read; this only adds the tick boxes.

const PREFIX = "witaj:steps:";

function load(key) {
  try {
    const stored = JSON.parse(window.localStorage.getItem(PREFIX + key) || "[]");
    return new Set(Array.isArray(stored) ? stored.filter(Number.isInteger) : []);
  } catch {
    return new Set();
  }
}

function save(key, done) {
  try {
    window.localStorage.setItem(PREFIX + key, JSON.stringify([...done].sort((a, b) => a - b)));
  } catch {
    // storage full or switched off: ticks last until the page is left
  }
}

function enhance(list) {
  const key = list.dataset.steps;
  const template = list.dataset.progress || "{done}/{total}";
  const progress = document.querySelector("[data-steps-progress]");
  const boxes = [...list.querySelectorAll("input[data-step]")];
  const done = load(key);

  function show() {
    for (const box of boxes) {
      const index = Number(box.dataset.step);
      box.checked = done.has(index);
      box.closest(".step")?.classList.toggle("is-done", box.checked);
    }
    if (progress) {
      const count = boxes.filter((box) => box.checked).length;
      progress.textContent = template.replace("{done}", String(count)).replace("{total}", String(boxes.length));
      progress.hidden = false;
    }
  }

  for (const box of boxes) {
    box.closest("label").hidden = false;
    box.addEventListener("change", () => {
      const index = Number(box.dataset.step);
      if (box.checked) done.add(index);
      else done.delete(index);
      save(key, done);
      show();
      document.dispatchEvent(new CustomEvent("witaj:steps-changed")); // offline.js keeps ticked procedures
    });
  }
  show();
}

for (const list of document.querySelectorAll("ol[data-steps]")) enhance(list);
