// Problem workspace map: shows the geometries passed in #map-data (json_script), beat outlines
// for orientation, and lets staff draw a polygon into a GeoJSON textarea. No inline script, no CDN.
(function () {
  "use strict";
  var STYLES = {
    polygon: { color: "#1f4e8c", weight: 2, fillOpacity: 0.15 },
    areas: { color: "#4a5b70", weight: 2, dashArray: "4 4", fillOpacity: 0.05 },
    candidate: { color: "#b3261e", weight: 2, fillOpacity: 0.2 },
    target: { color: "#1f4e8c", weight: 2, fillOpacity: 0.25 },
    buffer: { color: "#c77700", weight: 1, fillOpacity: 0.12 },
    control: { color: "#2e7d32", weight: 2, fillOpacity: 0.2 }
  };

  function round6(v) { return Math.round(v * 1e6) / 1e6; }

  function readData() {
    var node = document.getElementById("map-data");
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function init() {
    var el = document.getElementById("problem-map");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el);
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    var bounds = L.latLngBounds([]);
    var data = readData() || {};

    function add(geometry, style, label) {
      if (!geometry) { return null; }
      var layer = L.geoJSON(geometry, { style: style }).addTo(map);
      if (label) { layer.bindTooltip(label); }
      bounds.extend(layer.getBounds());
      return layer;
    }
    Object.keys(data).forEach(function (key) {
      if (key === "areas") {
        (data.areas || []).forEach(function (a) { add(a.geometry, STYLES.areas, a.name); });
      } else if (key === "corridors") {
        (data.corridors || []).forEach(function (c) { add(c.geometry, STYLES.candidate, c.name); });
      } else {
        add(data[key], STYLES[key] || STYLES.polygon, key);
      }
    });

    // Beat outlines for orientation when there are no base tiles.
    if (el.dataset.areas) {
      fetch(el.dataset.areas, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (beats) {
          if (!beats) { return; }
          var layer = L.geoJSON(beats, { style: { color: "#9aa5b1", weight: 1, fill: false, interactive: false } });
          layer.addTo(map).bringToBack();
          if (!bounds.isValid()) { map.fitBounds(layer.getBounds()); }
        });
    }

    var drawTarget = el.dataset.draw ? document.getElementById(el.dataset.draw) : null;
    var drawn = null;
    if (drawTarget && drawTarget.value) {
      try { drawn = add(JSON.parse(drawTarget.value), STYLES.polygon, "drawn area"); } catch (e) { drawn = null; }
    }
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12], maxZoom: 17 }); } else { map.setView([0, 0], 2); }
    if (!drawTarget) { return; }

    var points = [];
    var line = L.polyline([], { color: "#1f4e8c", dashArray: "3 3" }).addTo(map);
    map.on("click", function (e) {
      points.push([round6(e.latlng.lng), round6(e.latlng.lat)]);
      line.setLatLngs(points.map(function (p) { return [p[1], p[0]]; }));
    });
    var finish = document.getElementById("draw-finish");
    var clear = document.getElementById("draw-clear");
    if (finish) {
      finish.addEventListener("click", function () {
        if (points.length < 3) { return; }
        var ring = points.concat([points[0]]);
        var geometry = { type: "Polygon", coordinates: [ring] };
        drawTarget.value = JSON.stringify(geometry);
        // where a menu says where the zone comes from (the assessment's control), drawing picks "polygon"
        var choice = el.dataset.drawChoice ? document.getElementById(el.dataset.drawChoice) : null;
        if (choice) { choice.value = "geojson"; }
        if (drawn) { map.removeLayer(drawn); }
        drawn = L.geoJSON(geometry, { style: STYLES.polygon }).addTo(map);
        points = [];
        line.setLatLngs([]);
      });
    }
    if (clear) {
      clear.addEventListener("click", function () {
        points = [];
        line.setLatLngs([]);
        drawTarget.value = "";
        if (drawn) { map.removeLayer(drawn); drawn = null; }
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
