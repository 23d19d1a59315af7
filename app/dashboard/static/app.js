// Replybase dashboard: the few things htmx does not do (uploads with progress, copy, review shortcuts).
"use strict";

// Upload each dropped or chosen file on its own request, so each has its own progress bar and status.
function setupUploads(zone) {
  const input = zone.querySelector("input[type=file]");
  const list = document.getElementById(zone.dataset.list);
  const send = (file) => {
    const row = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = 0; bar.setAttribute("aria-label", "Uploading " + file.name);
    row.append(name, bar);
    list.prepend(row);
    const body = new FormData();
    body.append("file", file);
    const tags = zone.querySelector("[name=tags]");
    if (tags && tags.value) body.append("tags", tags.value);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", zone.dataset.url);
    xhr.setRequestHeader("HX-Request", "true");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
    xhr.onload = () => {
      row.innerHTML = xhr.responseText;  // the server's row: its status, polling until ready or failed
      htmx.process(row);
      if (xhr.status < 300) htmx.trigger(document.body, "kb-changed");
    };
    xhr.onerror = () => { row.textContent = file.name + ": the upload did not reach the server; try again."; };
    xhr.send(body);
  };
  const sendAll = (files) => Array.from(files).forEach(send);
  input.addEventListener("change", () => { sendAll(input.files); input.value = ""; });
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); sendAll(e.dataTransfer.files); });
}

function copyFrom(button) {
  const target = document.getElementById(button.dataset.copy);
  const text = target.value || target.textContent;
  const done = () => { button.textContent = "Copied"; };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done);
  else { target.select(); document.execCommand("copy"); done(); }
}

// The review queue refreshes itself, but never over a draft being edited.
function reviewIdle() {
  return !document.querySelector("#review-queue textarea.dirty")
    && !(document.activeElement && document.activeElement.closest("#review-queue textarea"));
}
let reviewSelected = null;

// Review queue: j/k move, a approve, e edit, r reject; in a draft Escape leaves it, Ctrl+Enter approves it.
function reviewKeys(event) {
  const field = event.target.closest("input, textarea, select");
  if (field && field.closest(".review-item")) {
    if (event.key === "Escape") { field.blur(); field.closest(".review-item").focus(); }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); field.form.requestSubmit(); }
    return;
  }
  if (field || event.ctrlKey || event.metaKey || event.altKey) return;
  const items = Array.from(document.querySelectorAll(".review-item"));
  if (!items.length) return;
  let index = items.findIndex((item) => item.classList.contains("selected"));
  const select = (i) => {
    items.forEach((item) => item.classList.remove("selected"));
    const item = items[Math.max(0, Math.min(items.length - 1, i))];
    item.classList.add("selected"); item.scrollIntoView({block: "nearest"}); item.focus();
    reviewSelected = item.id;
  };
  const current = items[index < 0 ? 0 : index];
  const press = (name) => { const b = current.querySelector("[data-action=" + name + "]"); if (b) b.click(); };
  switch (event.key) {
    case "j": select(index + 1); break;
    case "k": select(index - 1); break;
    case "a": press("approve"); break;
    case "r": press("reject"); break;
    case "e": { const t = current.querySelector("textarea"); if (t) { t.focus(); event.preventDefault(); } break; }
    default: return;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".dropzone").forEach(setupUploads);
  document.addEventListener("click", (e) => { const b = e.target.closest("[data-copy]"); if (b) copyFrom(b); });
  if (document.querySelector("[data-review]")) {
    document.addEventListener("keydown", reviewKeys);
    document.addEventListener("input", (e) => { if (e.target.closest("#review-queue textarea")) e.target.classList.add("dirty"); });
    document.body.addEventListener("htmx:afterSwap", () => {
      const again = reviewSelected && document.getElementById(reviewSelected);
      if (again) { document.querySelectorAll(".review-item.selected").forEach((i) => i.classList.remove("selected")); again.classList.add("selected"); }
    });
  }
});
