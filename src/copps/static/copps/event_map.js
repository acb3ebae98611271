// The staff event map: plots the GeoJSON of the current filters. No CDN, no inline script.
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("map");
    var status = document.getElementById("map-status");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el, { preferCanvas: true });
    var tiles = el.dataset.tiles;
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
    var colours = { crime: "#b3261e", call: "#1f5fa8", collision: "#c77700" };
    // Beat outlines give the points a frame of reference when there are no base tiles.
    fetch(el.dataset.areas, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        L.geoJSON(data, {
          style: { color: "#4a5b70", weight: 1, fill: false, interactive: false }
        }).addTo(map).bringToBack();
      });
    fetch(el.dataset.source, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (f, latlng) {
            var p = f.properties;
            return L.circleMarker(latlng, {
              radius: 4, weight: 1, fillOpacity: 0.7,
              color: p.sensitive ? "#6a1b9a" : (colours[p.kind] || "#333")
            });
          },
          onEachFeature: function (f, lyr) {
            var p = f.properties, div = document.createElement("div"), a = document.createElement("a");
            a.href = "/events/" + p.id + "/"; a.textContent = (p.category || p.kind) + " · " + p.occurred.slice(0, 16).replace("T", " ");
            div.appendChild(a); div.appendChild(document.createElement("br"));
            div.appendChild(document.createTextNode(p.block || ""));
            lyr.bindPopup(div);
          }
        }).addTo(map);
        var shown = layer.getLayers().length;
        el.dataset.markers = String(shown);
        status.textContent = shown === data.total
          ? shown.toLocaleString() + " events with a location"
          : "Showing the " + shown.toLocaleString() + " most recent of " + data.total.toLocaleString() + " events with a location; narrow the filters to see all.";
        var misplaced = Object.keys(data.left_out || {}).map(function (k) { return data.left_out[k].toLocaleString() + " " + k.toLowerCase(); });
        if (misplaced.length) {
          status.textContent += " Left out of the map: " + misplaced.join(", ") + " (Place filter: “Outside or impossible” lists them).";
        }
        if (shown) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); } else { map.setView([0, 0], 2); }
      })
      .catch(function (err) { status.textContent = "Could not load events: " + err.message; map.setView([0, 0], 2); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
