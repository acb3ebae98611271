// Candidates map: every candidate the list's filters choose (GeoJSON from data-source), coloured by
// kind, each shape linking to its candidate's page. No inline script, no CDN (strict CSP).
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("candidate-map");
    var status = document.getElementById("candidate-map-status");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el);
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    map.setView([0, 0], 2);
    function link(feature) {
      var a = document.createElement("a");
      a.href = feature.properties.url;
      a.textContent = feature.properties.title;
      var p = document.createElement("div");
      p.appendChild(a);
      p.appendChild(document.createTextNode(" (" + feature.properties.kind_label + ")"));
      return p;
    }
    fetch(el.dataset.source, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error(String(r.status))); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function (f) { return { color: f.properties.colour, weight: 2, fillOpacity: 0.3 }; },
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, { radius: 7, color: f.properties.colour, fillOpacity: 0.6 });
          },
          onEachFeature: function (f, l) {
            l.bindTooltip(f.properties.title);
            l.bindPopup(link(f));
          }
        }).addTo(map);
        var n = data.features.length;
        if (status) { status.textContent = n + (n === 1 ? " candidate on the map." : " candidates on the map."); }
        if (n) { map.fitBounds(layer.getBounds(), { padding: [12, 12], maxZoom: 16 }); }
        // the beats' outlines under the candidates, so a reader sees where each one lies
        if (el.dataset.areas) {
          fetch(el.dataset.areas, { credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (beats) {
              if (!beats) { return; }
              var b = L.geoJSON(beats, {
                style: { color: "#9aa5b1", weight: 1, fill: false }, interactive: false
              }).addTo(map);
              b.bringToBack();
              el.dataset.beats = String(beats.features ? beats.features.length : 0);
              if (!n && b.getBounds().isValid()) { map.fitBounds(b.getBounds()); }
            });
        }
      })
      .catch(function (e) { if (status) { status.textContent = "Could not load the map: " + e.message; } });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
