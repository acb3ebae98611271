// A public problem's area: its areas' outlines or a box of whole grid squares (never the drawn shape).
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("problem-map");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el);
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    if (window.CoppsBasemap) { window.CoppsBasemap.attach(map); }  // copps' own streets and names
    fetch(el.dataset.area, { credentials: "omit" }).then(function (r) { return r.json(); }).then(function (data) {
      var layer = L.geoJSON(data, { style: { color: "#1f4e8c", weight: 2, fillOpacity: 0.15 } }).addTo(map);
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); } else { map.setView([0, 0], 2); }
      el.dataset.loaded = String(layer.getLayers().length);
    }).catch(function () { map.setView([0, 0], 2); el.dataset.loaded = "0"; });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
