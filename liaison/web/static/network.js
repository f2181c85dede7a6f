// The network view's drawing: Cytoscape.js over the elements the page embeds, and expansion of a
// node by fetching its own neighbourhood. The tables under the drawing list the same nodes and
// links (and grow with it), so the page says everything without this script.
"use strict";

(function () {
  const holder = document.getElementById("graph");
  const source = document.getElementById("graph-data");
  if (!holder || !source || typeof cytoscape !== "function") return;
  const data = JSON.parse(source.textContent);

  // TLP 2.0's colours; CLEAR is white, so every record has a dark outline to stand on the page.
  const TLP = { CLEAR: "#ffffff", GREEN: "#33ff00", AMBER: "#ffc000", "AMBER+STRICT": "#ffc000", RED: "#ff2b2b" };
  const style = [
    { selector: "node", style: {
      label: "data(label)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 3,
      "text-wrap": "ellipsis", "text-max-width": "130px", width: 22, height: 22,
      "background-color": "#cfd8e3", "border-width": 1, "border-color": "#1b1f24",
    } },
    { selector: 'node[kind = "entity"]', style: { shape: "ellipse" } },
    { selector: 'node[kind = "value"]', style: { shape: "diamond", "background-color": "#cfe3ff", width: 16, height: 16 } },
    // A placeholder says whose record it is and nothing else: grey, square, dashed.
    { selector: 'node[kind = "hidden"]', style: {
      shape: "round-rectangle", "background-color": "#9ca3af", "border-style": "dashed", color: "#57606a",
    } },
    { selector: 'node[handling = "AMBER+STRICT"]', style: { "border-width": 3 } },
    { selector: "node.start", style: { "border-width": 4, "border-color": "#0b5cad", width: 30, height: 30 } },
    { selector: "node:selected", style: { "overlay-color": "#0b5cad", "overlay-opacity": 0.2, "overlay-padding": 6 } },
    { selector: "edge", style: {
      width: 1.5, "line-color": "#8c959f", "curve-style": "bezier", label: "data(label)",
      "font-size": 7, color: "#57606a", "text-rotation": "autorotate", "text-background-color": "#fff",
      "text-background-opacity": 0.8,
    } },
    // A link FtM gives a direction (owns, directs, belongs to) points from its source to its
    // target, as its label reads; family and associates are drawn without an arrow.
    { selector: "edge[?directed]", style: { "target-arrow-shape": "triangle", "target-arrow-color": "#8c959f", "arrow-scale": 0.9 } },
  ];
  for (const [code, colour] of Object.entries(TLP)) {
    style.splice(4, 0, { selector: `node[kind = "entity"][handling = "${code}"]`, style: { "background-color": colour } });
  }

  const cy = cytoscape({
    container: holder,
    elements: data.elements,
    style: style,
    minZoom: 0.15,
    maxZoom: 3,
  });

  function arrange(randomize) {
    const layout = cy.layout({
      name: "cose", animate: false, randomize: randomize, padding: 30, idealEdgeLength: () => 70,
      nodeRepulsion: () => 9000, componentSpacing: 60,
    });
    // A few nodes fitted to the box would be drawn huge: keep them at reading size, centred.
    layout.one("layoutstop", () => { if (cy.zoom() > 1.2) { cy.zoom(1.2); cy.center(); } });
    layout.run();
  }
  arrange(true);
  cy.getElementById(data.start).addClass("start");
  window.liaisonGraph = cy; // for the browser tests and for analysts at the console

  const status = document.getElementById("graph-status");
  const name = document.getElementById("selected-name");
  const kind = document.getElementById("selected-kind");
  const open = document.getElementById("open-entity");
  const expandButton = document.getElementById("expand");
  const nodeRows = document.getElementById("node-rows");
  const linkRows = document.getElementById("link-rows");
  let selected = null;

  function entityHref(id) {
    return `/app/entities/${encodeURIComponent(id)}`;
  }

  function kindText(node) {
    if (node.kind === "hidden") return "hidden record";
    if (node.kind === "value") return `shared ${node.schema}`;
    return node.schema;
  }

  function cell(row, content) {
    const td = row.insertCell();
    if (content instanceof Node) td.append(content); else td.textContent = content == null ? "" : String(content);
    return td;
  }

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function tlpBadge(code) {
    if (!code) return "";
    const span = document.createElement("span");
    span.className = `tlp tlp-${code.toLowerCase().replace("+", "-")}`;
    span.textContent = `TLP:${code}`;
    return span;
  }

  function addNodeRow(node) {
    const row = nodeRows.insertRow();
    row.dataset.id = node.id;
    cell(row, node.kind === "entity" ? link(entityHref(node.id), node.label) : node.label);
    cell(row, kindText(node));
    cell(row, tlpBadge(node.handling));
    cell(row, node.hops);
    const params = new URLSearchParams({ entity: node.id, hops: String(data.hops) });
    cell(row, node.kind === "entity" ? link(`/app/network?${params}`, "centre here") : "");
  }

  function addLinkRow(edge) {
    const empty = linkRows.querySelector("td.empty");
    if (empty) empty.parentElement.remove();
    const row = linkRows.insertRow();
    row.dataset.id = edge.id;
    cell(row, cy.getElementById(edge.source).data("label"));
    cell(row, edge.label);
    cell(row, cy.getElementById(edge.target).data("label"));
  }

  function select(node) {
    selected = node;
    const item = node.data();
    name.className = "";
    name.textContent = item.label;
    kind.textContent = `${kindText(item)}${item.handling ? ` · TLP:${item.handling}` : ""} · ${item.hops} link(s) from the start`;
    const isEntity = item.kind === "entity";
    open.hidden = !isEntity;
    if (isEntity) open.href = entityHref(item.id);
    expandButton.disabled = !isEntity || Boolean(item.expanded);
  }

  async function expand(node) {
    // Placeholders and shared values have no neighbourhood of their own to fetch.
    if (node.data("kind") !== "entity" || node.data("expanded")) return;
    const params = new URLSearchParams({ entity: node.id(), hops: "1" });
    if (holder.dataset.dataset) params.set("dataset", holder.dataset.dataset);
    if (holder.dataset.purpose) params.set("purpose", holder.dataset.purpose);
    status.textContent = `Expanding ${node.data("label")} …`;
    expandButton.disabled = true;
    let more;
    try {
      const response = await fetch(`/app/network/graph.json?${params}`, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      more = await response.json();
    } catch (error) {
      status.textContent = `Could not expand ${node.data("label")}: ${error.message}.`;
      expandButton.disabled = false;
      return;
    }
    node.data("expanded", true);
    const base = node.data("hops") || 0;
    const at = node.position();
    const added = cy.collection();
    cy.batch(() => {
      for (const element of more.elements.nodes) {
        if (!cy.getElementById(element.data.id).empty()) continue;
        element.data.hops = base + element.data.hops;
        // New nodes start beside the one expanded, so the layout grows the drawing from there.
        element.position = { x: at.x + (Math.random() - 0.5) * 80, y: at.y + (Math.random() - 0.5) * 80 };
        added.merge(cy.add(element));
        addNodeRow(element.data);
      }
      for (const element of more.elements.edges) {
        if (!cy.getElementById(element.data.id).empty()) continue;
        added.merge(cy.add(element));
        addLinkRow(element.data);
      }
    });
    // The drawing grows from where it was, so what the user has already looked at stays put.
    if (added.nodes().length) arrange(false);
    const cut = more.cut ? ` (its ${more.limit} nearest of ${more.within} fetched)` : "";
    status.textContent = `${added.nodes().length} nodes and ${added.edges().length} links added around ${node.data("label")}${cut}; ` +
      `${cy.nodes().length} nodes and ${cy.edges().length} links drawn.`;
    if (selected === node) select(node);
  }

  cy.on("tap", "node", (event) => select(event.target));
  cy.on("dbltap", "node", (event) => expand(event.target));
  expandButton.addEventListener("click", () => { if (selected) expand(selected); });
})();
