// The public maps' own base map, place search and "use my location" (no CDN, no inline script,
// nothing but copps' own origin: the Content-Security-Policy holds).
//
// CoppsBasemap.attach(map) draws, beneath the page's data, the streets copps serves at
// /public/basemap/<zoom>.geojson (one file per band of zooms: arterials at city zoom, every street
// at street zoom), their names along them (a label that would overlap another is left out,
// arterials first), the parks and the city limits. It wires the page's search box and location button
// (the ".map-tools" block whose data-map names the map's element). The visitor's position never
// leaves the browser: it only centres the map.
(function () {
  "use strict";
  var RANK = { arterial: 0, collector: 1, local: 2, park: 3 };
  // the zoom from which each class is labelled, and the line widths per class by zoom
  var LABEL_FROM = { arterial: 12, collector: 14, local: 15, park: 15 };
  var COLOURS = {
    arterial: { casing: "#b0863a", fill: "#f6d27c" },
    collector: { casing: "#a9a294", fill: "#ffffff" },
    local: { casing: "#c9c2b4", fill: "#ffffff" }
  };

  function width(cls, zoom) {
    if (cls === "arterial") { return zoom >= 16 ? 9 : zoom >= 14 ? 6 : zoom >= 12 ? 4 : 2.5; }
    if (cls === "collector") { return zoom >= 16 ? 7 : zoom >= 14 ? 4 : 2.5; }
    return zoom >= 17 ? 7 : zoom >= 16 ? 5 : zoom >= 15 ? 3 : 1.5;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "omit" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  function Basemap(map, tools) {
    this.map = map;
    this.tools = tools;
    this.url = tools.dataset.basemap;
    this.zooms = (tools.dataset.zooms || "0").split(",").map(function (z) { return parseInt(z, 10); });
    this.bands = {};
    this.shown = null;
    map.createPane("basemap").style.zIndex = 250;
    var labelPane = map.createPane("basemapLabels");
    labelPane.style.zIndex = 450;
    labelPane.classList.add("basemap-labels");
    this.renderer = L.canvas({ pane: "basemap", padding: 0.3 });
    this.casing = L.layerGroup().addTo(map);
    this.labels = L.layerGroup().addTo(map);
    this.labelItems = [];
    map.getContainer().classList.add("has-basemap");
  }

  Basemap.prototype.bandFor = function (zoom) {
    var best = this.zooms[0];
    this.zooms.forEach(function (z) { if (z <= zoom) { best = z; } });
    return best;
  };

  Basemap.prototype.load = function (band) {
    if (!this.bands[band]) { this.bands[band] = getJSON(this.url.replace(/0\.geojson$/, band + ".geojson")); }
    return this.bands[band];
  };

  Basemap.prototype.update = function () {
    var self = this, zoom = this.map.getZoom(), band = this.bandFor(zoom);
    if (this.shown === band) { this.restyle(); this.placeLabels(); return; }
    this.load(band).then(function (data) {
      if (self.bandFor(self.map.getZoom()) !== band) { return; }
      self.draw(data, band);
    }).catch(function () { /* the data layers still draw without a base map */ });
  };

  Basemap.prototype.draw = function (data, band) {
    var self = this, map = this.map;
    this.casing.clearLayers();
    var streets = { type: "FeatureCollection", features: [] }, city = { type: "FeatureCollection", features: [] };
    var parks = { type: "FeatureCollection", features: [] };
    this.labelItems = [];
    data.features.forEach(function (f) {
      var p = f.properties;
      if (p.layer === "street") { streets.features.push(f); }
      else if (p.layer === "city") { city.features.push(f); }
      else if (p.layer === "park") { parks.features.push(f); }
      else if (p.layer === "label") {
        var c = f.geometry.coordinates;
        self.labelItems.push({ latlng: L.latLng(c[1], c[0]), name: p.name, cls: p["class"], angle: p.angle || 0, marker: null });
      }
    });
    streets.features.sort(function (a, b) { return RANK[b.properties["class"]] - RANK[a.properties["class"]]; });
    this.labelItems.sort(function (a, b) { return RANK[a.cls] - RANK[b.cls]; });
    var common = { pane: "basemap", renderer: this.renderer, interactive: false };
    this.cityLayer = L.geoJSON(city, Object.assign({ style: { color: "#6d5a86", weight: 2.5, dashArray: "8 5", fill: true,
      fillColor: "#fbfaf6", fillOpacity: 0.6 } }, common));
    this.parkLayer = L.geoJSON(parks, Object.assign({ style: { color: "#9cc486", weight: 1, fillColor: "#cfe5bf",
      fillOpacity: 1 } }, common));
    this.casingLayer = L.geoJSON(streets, Object.assign({ style: function (f) { return self.style(f, true); } }, common));
    this.fillLayer = L.geoJSON(streets, Object.assign({ style: function (f) { return self.style(f, false); } }, common));
    [this.cityLayer, this.parkLayer, this.casingLayer, this.fillLayer].forEach(function (l) { self.casing.addLayer(l); });
    this.shown = band;
    map.getContainer().dataset.basemapBand = String(band);
    map.getContainer().dataset.basemapStreets = String(streets.features.length);
    this.placeLabels();
  };

  Basemap.prototype.style = function (f, casing) {
    var cls = f.properties["class"], w = width(cls, this.map.getZoom()), c = COLOURS[cls] || COLOURS.local;
    return { color: casing ? c.casing : c.fill, weight: casing ? w + 2 : w, opacity: 1, lineCap: "round", lineJoin: "round" };
  };

  Basemap.prototype.restyle = function () {
    var self = this;
    if (this.casingLayer) { this.casingLayer.setStyle(function (f) { return self.style(f, true); }); }
    if (this.fillLayer) { this.fillLayer.setStyle(function (f) { return self.style(f, false); }); }
  };

  // Names along the streets: arterials first; a name whose box would overlap one already
  // placed is left out, so the map never prints text over text.
  Basemap.prototype.placeLabels = function () {
    var map = this.map, zoom = map.getZoom(), size = map.getSize(), placed = [], shown = 0;
    var self = this;
    this.labels.clearLayers();
    this.labelItems.forEach(function (item) {
      if (zoom < LABEL_FROM[item.cls] || shown >= 300) { return; }
      var pt = map.latLngToContainerPoint(item.latlng);
      if (pt.x < -50 || pt.y < -50 || pt.x > size.x + 50 || pt.y > size.y + 50) { return; }
      var w = item.name.length * (item.cls === "arterial" ? 7.6 : 6.6) + 8, h = 15;
      var a = Math.abs(item.angle) * Math.PI / 180;
      var bw = Math.abs(w * Math.cos(a)) + Math.abs(h * Math.sin(a));
      var bh = Math.abs(w * Math.sin(a)) + Math.abs(h * Math.cos(a));
      var box = [pt.x - bw / 2, pt.y - bh / 2, pt.x + bw / 2, pt.y + bh / 2];
      for (var i = 0; i < placed.length; i++) {
        var o = placed[i];
        if (box[0] < o[2] && box[2] > o[0] && box[1] < o[3] && box[3] > o[1]) { return; }
      }
      placed.push(box);
      shown += 1;
      if (!item.marker) {
        var text = document.createElement("span");
        text.textContent = item.name;
        // style set through the DOM, not markup: the policy allows no inline style attribute
        text.style.transform = "translate(-50%, -50%) rotate(" + item.angle + "deg)";
        item.marker = L.marker(item.latlng, { pane: "basemapLabels", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "street-label street-label-" + item.cls, html: text, iconSize: null }) });
      }
      self.labels.addLayer(item.marker);
    });
    map.getContainer().dataset.streetLabels = String(shown);
  };

  function Tools(map, el, tools, options) {
    var input = tools.querySelector("input[type=search]"), button = tools.querySelector("button.search");
    var status = tools.querySelector("[role=status]"), list = tools.querySelector(".map-search-results");
    var locate = tools.querySelector("button.locate"), words = tools.dataset, pin = null, here = null;

    function say(text) { status.textContent = text; }

    function go(place) {
      if (place.bounds) {
        map.fitBounds([[place.bounds[1], place.bounds[0]], [place.bounds[3], place.bounds[2]]], { maxZoom: 17, padding: [20, 20] });
      } else {
        map.setView([place.lat, place.lon], 17);
      }
      if (pin) { map.removeLayer(pin); }
      if (!place.bounds) {
        pin = L.circleMarker([place.lat, place.lon], { radius: 9, color: "#1f4e8c", weight: 3, fill: false, interactive: false }).addTo(map);
      }
      el.dataset.found = place.label;
      say((words.showing || "Showing: LABEL").replace("LABEL", place.label));
      if (options.onSearch) { options.onSearch(place); }
    }

    function search() {
      var q = input.value.trim();
      list.textContent = "";
      if (q.length < 2) { say(words.short || "Type at least two letters."); return; }
      say(words.searching || "Searching…");
      getJSON(tools.dataset.places + "?" + new URLSearchParams({ q: q }).toString()).then(function (data) {
        var results = data.results || [];
        if (!results.length) { say(words.none || "No street, block or area by that name."); return; }
        if (results.length === 1) { go(results[0]); return; }
        results.forEach(function (place) {
          var li = document.createElement("li"), b = document.createElement("button");
          b.type = "button";
          b.textContent = place.label;
          b.addEventListener("click", function () { list.textContent = ""; go(place); input.focus(); });
          li.appendChild(b);
          list.appendChild(li);
        });
        say((words.found || "COUNT places found: choose one.").replace("COUNT", results.length));
        list.querySelector("button").focus();
      }).catch(function () { say(words.failed || "The search did not answer. Try again."); });
    }
    button.addEventListener("click", search);
    // Enter searches (and never sends a form the map sits in)
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); search(); } });

    if (!locate) { return; }
    if (!("geolocation" in navigator)) { locate.hidden = true; return; }
    locate.addEventListener("click", function () {
      say(words.locating || "Finding where you are…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        var ll = [pos.coords.latitude, pos.coords.longitude];
        map.setView(ll, 16);
        if (here) { map.removeLayer(here); }
        here = L.circle(ll, { radius: Math.min(pos.coords.accuracy || 50, 500), color: "#1f4e8c", weight: 1,
          fillOpacity: 0.15, interactive: false }).addTo(map);
        say(words.located || "The map is centred on where you are. Your position is not sent to us.");
        if (options.onLocate) { options.onLocate(L.latLng(ll)); }
      }, function () {
        say(words.denied || "Your browser did not give your position.");
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
    });
  }

  // Returns {ready}: a promise of the base map's extent (a LatLngBounds, or null without streets),
  // for a page with no data of its own to fit the map to.
  function attach(map, options) {
    options = options || {};
    var el = map.getContainer();
    var tools = document.querySelector('.map-tools[data-map="' + el.id + '"]');
    if (!tools || !tools.dataset.basemap) { return { ready: Promise.resolve(null) }; }
    tools.hidden = false;
    var base = new Basemap(map, tools);
    var ready = base.load(base.zooms[0]).then(function (data) {
      var b = data.bbox;
      return b ? L.latLngBounds([b[1], b[0]], [b[3], b[2]]) : null;
    }).catch(function () { return null; });
    map.whenReady(function () { base.update(); });
    map.on("zoomend", function () { base.update(); });
    map.on("moveend", function () {
      if (base.shown !== null) { base.placeLabels(); }
      var c = map.getCenter();  // where the map is, for a person's tools and the browser tests
      el.dataset.view = map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5);
    });
    Tools(map, el, tools, options);
    return { ready: ready, basemap: base };
  }

  window.CoppsBasemap = { attach: attach };
})();
