// Staff maps of the triage room: the filtered queue (#queue-map, GeoJSON from data-source, loaded
// when its panel is opened) and one request's point (#request-map, data-lat/data-lon). Beat
// outlines for orientation, base tiles when configured. No CDN, no inline script.
(function () {
  "use strict";
  function base(el) {
    var map = L.map(el, { preferCanvas: true });
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    if (el.dataset.areas) {
      fetch(el.dataset.areas, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          L.geoJSON(data, { style: { color: "#4a5b70", weight: 1, fill: false, interactive: false } })
            .addTo(map).bringToBack();
        });
    }
    return map;
  }

  function queueMap(el) {
    var status = document.getElementById("map-status");
    var map = base(el);
    fetch(el.dataset.source, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, { radius: 5, weight: 1, fillOpacity: 0.7, color: "#1f5fa8" });
          },
          onEachFeature: function (f, lyr) {
            var p = f.properties, div = document.createElement("div"), a = document.createElement("a");
            a.href = p.url; a.textContent = p.service + " · " + p.requested.slice(0, 16).replace("T", " ");
            div.appendChild(a); div.appendChild(document.createElement("br"));
            div.appendChild(document.createTextNode(p.state + (p.block ? " · " + p.block : "")));
            lyr.bindPopup(div);
          }
        }).addTo(map);
        var shown = layer.getLayers().length;
        el.dataset.markers = String(shown);
        status.textContent = data.summary;
        if (shown) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); } else { map.setView([0, 0], 2); }
      })
      .catch(function (err) { status.textContent = err.message; map.setView([0, 0], 2); });
  }

  function pointMap(el) {
    var map = base(el);
    var at = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    L.circleMarker(at, { radius: 7, weight: 2, fillOpacity: 0.8, color: "#b3261e" }).addTo(map)
      .bindTooltip(el.dataset.label || "");
    map.setView(at, 17);
    el.dataset.markers = "1";
  }

  function init() {
    if (typeof L === "undefined") { return; }
    var q = document.getElementById("queue-map");
    if (q) {
      var panel = document.getElementById("queue-map-panel");
      var started = false;
      var start = function () { if (!started && (!panel || panel.open)) { started = true; queueMap(q); } };
      if (panel) { panel.addEventListener("toggle", start); }
      start();
    }
    var p = document.getElementById("request-map");
    if (p) { pointMap(p); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
