// An operation's page: the tally redrawn in place from the API's stream of `tally` events, so
// participants watch results arrive without reloading, and the result form's seizure fields shown
// for seizures only. The server draws the same numbers first: the page works without this script.
"use strict";

(function () {
  const RETRY_MS = 5000;
  const FLASH_MS = 2500;
  const format = (value) => Number(value || 0).toLocaleString("en");

  function flash(element) {
    element.classList.add("fresh");
    setTimeout(() => element.classList.remove("fresh"), FLASH_MS);
  }

  function setText(element, text) {
    // Only a number that moved is rewritten, so a screen reader announces what changed and no more.
    if (!element || element.textContent === text) return;
    element.textContent = text;
    flash(element);
  }

  function heading(scope, text) {
    const cell = document.createElement("th");
    cell.scope = scope;
    cell.textContent = text;
    return cell;
  }

  function drawTable(table, sums, columns) {
    // Rows: those already drawn (every participating country, each day counted) and any new one;
    // columns: the kinds counted so far, in the totals' order, as the server draws them.
    const before = new Map();
    const rows = new Map();
    for (const row of table.querySelectorAll("tbody tr[data-key]")) {
      rows.set(row.dataset.key, row.dataset.label);
      for (const cell of row.querySelectorAll("td[data-kind]")) {
        before.set(`${row.dataset.key}|${cell.dataset.kind}`, cell.textContent);
      }
    }
    for (const key of Object.keys(sums)) {
      if (!rows.has(key)) rows.set(key, table.dataset.order === "sorted" ? key : key.toUpperCase());
    }
    let keys = Array.from(rows.keys());
    if (table.dataset.order === "sorted") keys = keys.sort();

    const head = document.createElement("tr");
    head.append(heading("col", table.dataset.heading));
    for (const column of columns) {
      const cell = heading("col", column.label);
      cell.className = "n";
      head.append(cell);
    }
    const body = document.createElement("tbody");
    for (const key of keys) {
      const row = document.createElement("tr");
      row.dataset.key = key;
      row.dataset.label = rows.get(key);
      row.append(heading("row", rows.get(key)));
      for (const column of columns) {
        const cell = document.createElement("td");
        cell.className = "n";
        cell.dataset.kind = column.kind;
        cell.textContent = format((sums[key] || {})[column.kind]);
        const was = before.get(`${key}|${column.kind}`);
        if (was === undefined ? cell.textContent !== "0" : was !== cell.textContent) flash(cell);
        row.append(cell);
      }
      body.append(row);
    }
    if (!keys.length) {
      const row = document.createElement("tr");
      const cell = document.createElement("td");
      cell.className = "empty";
      cell.textContent = "No field results filed yet.";
      row.append(cell);
      body.append(row);
    }
    table.tHead.replaceChildren(head);
    table.tBodies[0].replaceWith(body);
  }

  function liveTally(section) {
    const status = document.getElementById("tally-status");
    const stale = document.getElementById("results-stale");
    const countries = document.getElementById("tally-countries");
    const days = document.getElementById("tally-days");
    const kinds = Array.from(section.querySelectorAll("#tally-totals [data-kind]"))
      .map((cell) => ({ kind: cell.dataset.kind, label: cell.dataset.label }));
    const shown = Number(section.dataset.last || 0);
    let source = null;
    let retry = null;

    function update(tally) {
      for (const item of kinds) setText(document.getElementById(`total-${item.kind}`), format(tally.totals[item.kind]));
      const columns = kinds.filter((item) => item.kind in tally.totals);
      drawTable(countries, tally.by_country, columns);
      drawTable(days, tally.by_day, columns);
      document.getElementById("tally-last").textContent = String(tally.last_result);
      // The list of results below is the server's, as the page was loaded: say when it is behind.
      if (stale && tally.last_result > shown) stale.hidden = false;
    }

    function open() {
      retry = null;
      status.textContent = "connecting";
      source = new EventSource(section.dataset.stream);
      source.onopen = () => { status.textContent = "live"; };
      source.addEventListener("tally", (event) => {
        status.textContent = "live";
        update(JSON.parse(event.data));
      });
      source.onerror = () => {
        status.textContent = "reconnecting";
        // The browser retries a dropped stream by itself, but gives up on a refused one: try again later.
        if (source.readyState === EventSource.CLOSED && retry === null) {
          close();
          retry = setTimeout(open, RETRY_MS);
        }
      };
    }

    function close() {
      if (source) source.close();
      source = null;
    }

    // Leaving the page ends the stream, so the server stops polling for it; coming back opens it again.
    window.addEventListener("pagehide", () => {
      close();
      if (retry !== null) clearTimeout(retry);
      retry = null;
    });
    window.addEventListener("pageshow", (event) => { if (event.persisted && !source) open(); });
    open();
  }

  function seizureFields(form) {
    // Disabled while hidden, so that a seizure typed before the kind was changed is not sent.
    const kind = form.querySelector("#kind");
    const fields = document.getElementById("seizure-fields");
    if (!kind || !fields) return;
    const toggle = () => {
      fields.hidden = kind.value !== "seizure";
      fields.disabled = fields.hidden;
    };
    kind.addEventListener("change", toggle);
    toggle();
  }

  function confirmClose(form) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm("Close this operation? It will take no more results.")) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const section = document.getElementById("tally");
    if (section) liveTally(section);
    const form = document.getElementById("result-form");
    if (form) seizureFields(form);
    const closing = document.getElementById("close-form");
    if (closing) confirmClose(closing);
  });
})();
