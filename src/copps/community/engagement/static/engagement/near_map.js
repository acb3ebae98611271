// Alerts near a place: click the map to choose the place (fills the hidden lat/lon) and see the
// radius chosen drawn around it. Without script the address field alone does the job. The
// server keeps only a public point near the place, never the point clicked.
(function () {
  "use strict";

  function round6(v) { return Math.round(v * 1e6) / 1e6; }

  function init() {
    var form = document.getElementById("near-form");
    var el = document.getElementById("near-map");
    if (!form || !el || typeof L === "undefined") { return; }
    var lat = form.querySelector("input[name=lat]");
    var lon = form.querySelector("input[name=lon]");
    var radios = form.querySelectorAll("input[name=radius_m]");
    var map = L.map(el, { zoomControl: true });
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    map.setView([0, 0], 2);
    var circle = null;

    function radius() {
      for (var i = 0; i < radios.length; i++) { if (radios[i].checked) { return parseInt(radios[i].value, 10); } }
      return 800;
    }
    function place(latlng) {
      if (circle) { circle.setLatLng(latlng); } else {
        circle = L.circle(latlng, { radius: radius(), color: "#1d4f91", weight: 2, fillOpacity: 0.1 }).addTo(map);
      }
      lat.value = round6(latlng.lat);
      lon.value = round6(latlng.lng);
    }
    for (var i = 0; i < radios.length; i++) {
      radios[i].addEventListener("change", function () { if (circle) { circle.setRadius(radius()); } });
    }
    map.on("click", function (e) { place(e.latlng); });
    // The browser's own location, asked only on a press; like a click, it only fills the form
    // (the server keeps the public point near it, never this one).
    var locate = document.getElementById("near-locate");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
          place(here);
          map.setView(here, 15);
        });
      });
    }
    if (lat.value && lon.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
    if (el.dataset.areas) {
      fetch(el.dataset.areas, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (areas) {
          if (!areas || !areas.features || !areas.features.length) { return; }
          var layer = L.geoJSON(areas, { style: { color: "#4a5b70", weight: 1, fillOpacity: 0.04 },
            onEachFeature: function (f, l) { l.on("click", function (e) { place(e.latlng); }); } });
          layer.addTo(map);
          if (circle) { map.fitBounds(circle.getBounds()); } else { map.fitBounds(layer.getBounds()); }
        });
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
