// Country outlines for the route maps, from Natural Earth through the world-atlas package.
//
// Run by hand after `npm ci` here, when world-atlas changes:
//     node outlines.mjs
// It writes ../static/vendor/world-atlas-<version>-countries-110m.json, which is committed: the
// server reads it (liaison/web/outlines.py) and draws the countries under the legs; no browser
// script, tile server or CDN is involved.
//
// Each country becomes an SVG path in the maps' equirectangular projection, in degrees:
// x = longitude + 180, y = 90 - latitude (liaison/web/routes.py multiplies both by its scale).
// Coordinates are rounded to 0.01 degree (about 1 km), finer than the 1:110m data itself.
import { readFileSync, writeFileSync } from "node:fs";
import { feature } from "topojson-client";

const here = new URL(".", import.meta.url);
const atlas = JSON.parse(readFileSync(new URL("node_modules/world-atlas/package.json", here)));
const client = JSON.parse(readFileSync(new URL("node_modules/topojson-client/package.json", here)));
const topology = JSON.parse(readFileSync(new URL("node_modules/world-atlas/countries-110m.json", here)));

const round = (value) => Math.round(value * 100) / 100;
const hundredths = (value) => Math.round(value * 100);

// A number of hundredths as SVG writes it shortest: 35 -> ".35", -120 -> "-1.2".
function number(value) {
  const text = String(value / 100);
  return text.replace(/^(-?)0\./, "$1.");
}

// Numbers joined as a path reads them, shortest: a minus sign, or a second decimal point,
// starts a new number by itself ("1.5.25-3" is 1.5, .25 and -3).
function joined(numbers) {
  let text = "";
  for (const value of numbers.map(number)) {
    const apart = text && !value.startsWith("-") && !(value.startsWith(".") && /\.\d*$/.test(text));
    text += (apart ? " " : "") + value;
  }
  return text;
}

// A ring as one absolute move and then relative lines (one "l", its pairs repeated) between
// points rounded to 0.01 degree, so the path stays short and the rounding never drifts along it.
function line(points) {
  const steps = [];
  let first = null;
  let last = null;
  for (const [lon, lat] of points) {
    const at = [hundredths(lon + 180), hundredths(90 - lat)];
    if (last === null) first = at;
    else if (at[0] !== last[0] || at[1] !== last[1]) steps.push(at[0] - last[0], at[1] - last[1]);
    else continue;
    last = at;
  }
  return "M" + joined(first) + (steps.length ? "l" + joined(steps) : "") + "z";
}

// A ring in the flat projection: longitudes made continuous where Natural Earth's rings cross the
// antimeridian (Fiji, Russia's far east), drawn again a world away so both halves show; a ring
// around a pole (Antarctica) is closed along the pole's line, the bottom edge of the map.
function ring(points) {
  const flat = [];
  let shift = 0;
  for (const [lon, lat] of points) {
    if (flat.length) {
      const step = lon + shift - flat[flat.length - 1][0];
      if (step > 180) shift -= 360;
      else if (step < -180) shift += 360;
    }
    flat.push([lon + shift, lat]);
  }
  const winding = flat[flat.length - 1][0] - flat[0][0];
  if (Math.abs(winding) > 180) {
    const pole = flat.reduce((sum, [, lat]) => sum + lat, 0) < 0 ? -90 : 90;
    flat.push([flat[flat.length - 1][0], pole], [flat[0][0], pole]);
  }
  const lons = flat.map(([lon]) => lon);
  const copies = [flat];
  if (Math.min(...lons) < -180) copies.push(flat.map(([lon, lat]) => [lon + 360, lat]));
  if (Math.max(...lons) > 180) copies.push(flat.map(([lon, lat]) => [lon - 360, lat]));
  return copies.map(line).join("");
}

function polygons(geometry) {
  if (geometry.type === "Polygon") return [geometry.coordinates];
  if (geometry.type === "MultiPolygon") return geometry.coordinates;
  return [];
}

const countries = [];
for (const country of feature(topology, topology.objects.countries).features) {
  const shapes = polygons(country.geometry);
  if (!shapes.length) continue;
  const points = shapes.flat(2);
  const lons = points.map(([lon]) => lon);
  const lats = points.map(([, lat]) => lat);
  countries.push({
    id: country.id ?? "",
    name: country.properties.name,
    // West, south, east, north, in degrees: the server draws only the countries in its frame.
    bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)].map(round),
    d: shapes.map((rings) => rings.map(ring).join("")).join(""),
  });
}
countries.sort((a, b) => a.name.localeCompare(b.name));

const out = new URL(`../static/vendor/world-atlas-${atlas.version}-countries-110m.json`, here);
const document = {
  source: `Natural Earth 1:110m Admin 0 countries (version 4.1.0), from the npm package world-atlas ${atlas.version} (countries-110m.json), decoded with topojson-client ${client.version}`,
  licence: "Natural Earth: public domain. world-atlas and topojson-client: ISC, copyright Michael Bostock.",
  made_by: "liaison/web/assets/outlines.mjs",
  projection: "equirectangular, in degrees: x = longitude + 180, y = 90 - latitude",
  countries,
};
writeFileSync(out, JSON.stringify(document) + "\n");
console.log(`${countries.length} countries -> ${out.pathname}`);
