// The public map: a grid of counts at city zoom, generalised points at street zoom.
// Everything it draws comes from /public/api/, i.e. through the privacy pipeline. No CDN, no inline script.
(function () {
  "use strict";
  var colours = { crime: "#b3261e", call: "#1f5fa8", collision: "#c77700" };

  function getJSON(url) {
    return fetch(url, { credentials: "omit" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  function popup(p) {
    var div = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.category;
    div.appendChild(title);
    [p.date, p.block, p.district].forEach(function (text) {
      if (text) { div.appendChild(document.createElement("br")); div.appendChild(document.createTextNode(text)); }
    });
    return div;
  }

  function init() {
    var el = document.getElementById("map");
    var status = document.getElementById("map-status");
    if (!el || typeof L === "undefined") { return; }
    var streetZoom = parseInt(el.dataset.streetZoom, 10) || 15;
    // the page's words, in its language (data-t-* attributes written by the template)
    var t = el.dataset;
    var lang = document.documentElement.lang || undefined;
    var map = L.map(el, { preferCanvas: true });
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    // copps' own streets and names beneath the data (static/copps/basemap.js)
    var base = window.CoppsBasemap ? window.CoppsBasemap.attach(map) : { ready: Promise.resolve(null) };
    function fitCity() {
      base.ready.then(function (b) { if (b) { map.fitBounds(b); } else { map.setView([0, 0], 2); } });
    }
    var pointsLayer = null, gridLayer = null, pointCount = 0, truncated = false;

    function show() {
      var street = map.getZoom() >= streetZoom;
      if (pointsLayer) { if (street) { pointsLayer.addTo(map); } else { map.removeLayer(pointsLayer); } }
      if (gridLayer) { if (street) { map.removeLayer(gridLayer); } else { gridLayer.addTo(map); } }
      el.dataset.layer = street ? "points" : "grid";
      status.textContent = t.tCount.replace("N", pointCount.toLocaleString(lang)) +
        (truncated ? t.tTruncated : "") + (street ? t.tPoints : t.tGrid);
    }

    getJSON(el.dataset.areas).then(function (data) {
      L.geoJSON(data, { style: { color: "#4a5b70", weight: 1, fill: false, interactive: false } }).addTo(map);
    }).catch(function () { /* outlines are optional */ });

    Promise.all([getJSON(el.dataset.points), getJSON(el.dataset.grid)]).then(function (res) {
      var pts = res[0], grid = res[1];
      truncated = !!pts.truncated;
      pointsLayer = L.geoJSON(pts, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 5, weight: 1, fillOpacity: 0.7, color: colours[f.properties.kind] || "#333" });
        },
        onEachFeature: function (f, lyr) { lyr.bindPopup(popup(f.properties)); }
      });
      var max = 1;
      grid.features.forEach(function (f) { max = Math.max(max, f.properties.count); });
      gridLayer = L.geoJSON(grid, {
        style: function (f) {
          return { color: "#0f2a4a", weight: 0.5, fillColor: "#1f4e8c", fillOpacity: 0.15 + 0.6 * f.properties.count / max };
        },
        onEachFeature: function (f, lyr) { lyr.bindTooltip(String(f.properties.count)); }
      });
      pointCount = pts.features.length;
      el.dataset.markers = String(pointCount);
      var bounds = pointsLayer.getLayers().length ? pointsLayer.getBounds() : null;
      if (bounds) { map.fitBounds(bounds, { padding: [10, 10] }); } else { fitCity(); }
      map.on("zoomend", show);
      show();
      if (!pts.snapped) { status.textContent = t.tUnsnapped; }
    }).catch(function (err) { status.textContent = t.tFailed + " " + err.message; fitCity(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
