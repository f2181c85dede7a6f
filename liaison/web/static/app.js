// Liaison's page behaviour: live alerts, keyboard review and the screening upload's progress.
// Every page works without it; it only saves reloads and clicks.
"use strict";

function liveAlerts(list) {
  // The stream says that an alert arrived; the server renders it, so the page shows it as a reload would.
  let after = Number(list.dataset.after || 0);
  let fetching = false;
  const status = document.getElementById("live");
  const source = new EventSource(`/api/v1/alerts/stream?unnamed=true&after=${after}`);
  source.onopen = () => { if (status) status.textContent = "live"; };
  source.onerror = () => { if (status) status.textContent = "reconnecting"; };
  async function pull() {
    if (fetching) return;
    fetching = true;
    try {
      const response = await fetch(`/app/alerts?after=${after}`, { credentials: "same-origin" });
      if (!response.ok) return;
      const holder = document.createElement("ul");
      holder.innerHTML = await response.text();
      const items = Array.from(holder.querySelectorAll("li[data-id]"));
      for (const item of items) {
        item.classList.add("fresh");
        list.prepend(item);
        after = Math.max(after, Number(item.dataset.id));
      }
      list.dataset.after = String(after);
      const empty = document.getElementById("no-alerts");
      if (empty && items.length) empty.remove();
    } finally {
      fetching = false;
    }
  }
  source.onmessage = pull;
}

function reviewKeys(form) {
  // c confirms, d dismisses, s skips: reviewers work through the queue without the mouse.
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
    const button = form.querySelector(`[data-key="${event.key.toLowerCase()}"]`);
    if (button) { event.preventDefault(); button.click(); }
  });
}

function screeningUpload(form) {
  // The file goes up with a progress bar; the result streams back a row at a time and is offered
  // as a download, so a long manifest shows how far it has got.
  const bar = document.getElementById("progress");
  const status = document.getElementById("progress-text");
  const link = document.getElementById("download");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    let total = 0;
    request.upload.onprogress = (e) => {
      if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; status.textContent = "uploading"; }
    };
    // The result has a line per match; the first field is the row's number.
    const rowsIn = (text) => new Set(text.split("\n").slice(1).filter(Boolean).map((line) => line.split(",")[0]));
    request.onprogress = () => {
      total = total || Number(request.getResponseHeader("X-Liaison-Rows") || 0);
      const done = rowsIn(request.responseText).size;
      bar.max = Math.max(total, 1);
      bar.value = Math.min(done, bar.max);
      status.textContent = `screened ${Math.min(done, total)} of ${total} rows`;
    };
    request.onload = () => {
      if (request.status !== 200) {
        const page = new DOMParser().parseFromString(request.responseText, "text/html");
        const message = page.querySelector("[role=alert]");
        status.textContent = message ? message.textContent : `the server answered ${request.status}`;
        status.classList.add("error");
        return;
      }
      const lines = request.responseText.split("\n").slice(1).filter(Boolean);
      const flagged = new Set(lines.filter((line) => /^[^,]*,(?:"[^"]*"|[^,]*),(match|reference),/.test(line))
        .map((line) => line.split(",")[0]));
      bar.max = 1; bar.value = 1;
      status.textContent = `done: ${rowsIn(request.responseText).size} rows screened, ${flagged.size} with matches or hidden hits`;
      const blob = new Blob([request.responseText], { type: "text/csv" });
      link.href = URL.createObjectURL(blob);
      link.hidden = false;
    };
    status.classList.remove("error");
    request.send(new FormData(form));
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const alerts = document.getElementById("alerts");
  if (alerts) liveAlerts(alerts);
  const review = document.getElementById("review-form");
  if (review) reviewKeys(review);
  const upload = document.getElementById("upload-form");
  if (upload) screeningUpload(upload);
});
