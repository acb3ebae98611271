// Report a concern, step one: click the map to mark the place (fills the hidden lat/lon), and
// once a category and a place are chosen, ask the server for open reports of the same kind
// nearby ("is it one of these?"). Without script the form still works: step two lists them.
(function () {
  "use strict";

  function round6(v) { return Math.round(v * 1e6) / 1e6; }

  function text(tag, value) {
    var node = document.createElement(tag);
    node.textContent = value;
    return node;
  }

  function showNearby(form, box, data) {
    box.textContent = "";
    if (!data || !data.nearby || !data.nearby.length) { box.hidden = true; return; }
    box.appendChild(text("h2", box.dataset.title || "Is it one of these?"));
    // The words come from the page, in the resident's language; English only as a fallback.
    var words = box.dataset;
    box.appendChild(text("p", (words.intro || "These open reports of the same kind are within RADIUS metres. " +
      "If yours is one of them, there is no need to report it again.").replace("RADIUS", data.radius_m)));
    var list = document.createElement("ul");
    data.nearby.forEach(function (item) {
      var li = document.createElement("li");
      li.appendChild(text("strong", item.service));
      li.appendChild(document.createTextNode((item.block ? ", " + item.block : "") + " — " + item.state +
        ", " + (words.reported || "reported") + " " + item.reported));
      if (item.description) { li.appendChild(document.createElement("br")); li.appendChild(text("q", item.description)); }
      li.appendChild(document.createElement("br"));
      var a = text("a", words.yes || "Yes, this is it");
      a.href = form.dataset.already.replace("REQUEST_ID", encodeURIComponent(item.service_request_id));
      li.appendChild(a);
      list.appendChild(li);
    });
    box.appendChild(list);
    box.appendChild(text("p", words.next || "Not one of these? Carry on: press Next."));
    box.hidden = false;
  }

  function init() {
    var form = document.getElementById("where-form");
    var el = document.getElementById("report-map");
    if (!form || !el) { return; }
    var lat = form.querySelector("input[name=lat]");
    var lon = form.querySelector("input[name=lon]");
    var service = form.querySelector("select[name=service]");
    var address = form.querySelector("input[name=address]");
    var box = document.getElementById("nearby");
    var timer = null;

    function lookup() {
      if (!service.value || (!lat.value && !address.value.trim())) { box.hidden = true; return; }
      var params = new URLSearchParams({ service: service.value, lat: lat.value, lon: lon.value,
                                         address: address.value.trim() });
      fetch(form.dataset.nearby + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { showNearby(form, box, data); })
        .catch(function () { box.hidden = true; });
    }
    function soon() { clearTimeout(timer); timer = setTimeout(lookup, 300); }
    service.addEventListener("change", soon);
    address.addEventListener("input", soon);

    if (typeof L === "undefined") { return; }
    var map = L.map(el, { zoomControl: true });
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    map.setView([0, 0], 2);
    // copps' own streets and names, the search box and "use my location" (static/copps/basemap.js)
    var base = window.CoppsBasemap ? window.CoppsBasemap.attach(map) : { ready: Promise.resolve(null) };
    var blockBox = document.getElementById("place-block"), asked = 0;
    // The hundred block of the marked place, shown before the resident goes on (the server
    // works it out again when the report is sent: this is only for the resident to check).
    function showBlock(latlng) {
      if (!blockBox || !el.dataset.block) { return; }
      var mine = ++asked;
      var params = new URLSearchParams({ lat: round6(latlng.lat), lon: round6(latlng.lng) });
      fetch(el.dataset.block + "?" + params.toString(), { credentials: "omit" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (mine !== asked) { return; }
          blockBox.textContent = "";
          if (!data || !data.block) { blockBox.textContent = blockBox.dataset.none; el.dataset.placeBlock = ""; return; }
          var words = blockBox.dataset.words.split("BLOCK");
          blockBox.appendChild(document.createTextNode(words[0]));
          blockBox.appendChild(text("strong", data.block));
          blockBox.appendChild(document.createTextNode(words.slice(1).join("BLOCK")));
          el.dataset.placeBlock = data.block;
        })
        .catch(function () { blockBox.textContent = ""; });
    }
    var marker = null;
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else {
        marker = L.circleMarker(latlng, { radius: 8, color: "#b3261e", weight: 3, fillOpacity: 0.6 }).addTo(map);
      }
      lat.value = round6(latlng.lat);
      lon.value = round6(latlng.lng);
      showBlock(latlng);
      soon();
    }
    map.on("click", function (e) { place(e.latlng); });
    if (lat.value && lon.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
    // District outlines, so the map makes sense without base tiles.
    if (el.dataset.areas) {
      fetch(el.dataset.areas, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (areas) {
          if (!areas || !areas.features || !areas.features.length) {
            if (!marker) { base.ready.then(function (b) { if (b) { map.fitBounds(b); } }); }
            return;
          }
          var layer = L.geoJSON(areas, { style: { color: "#4a5b70", weight: 1, fillOpacity: 0.04 },
            onEachFeature: function (f, l) { l.on("click", function (e) { place(e.latlng); }); } });
          layer.addTo(map);
          if (!marker) { map.fitBounds(layer.getBounds()); } else { map.setView(marker.getLatLng(), 16); }
        });
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
