// Hot-spot maps (the dashboard's analysis workspace, DDACTS overlay): beat outlines for orientation, the chosen area from
// #map-data, and the hot-spot layers (KDE surface, Gi* classes and emerging classes, or the crime x collision overlay) fetched
// as GeoJSON from copps. Colours come from #map-data's palette (copps/problems/hotspot_workspace.py), so the map, its legend
// and the PNG/PDF exports agree. No inline script, no CDN; base tiles only when COPPS_TILE_URL is set.
(function () {
  "use strict";
  var GI = {
    "3": "#b2182b", "2": "#ef8a62", "1": "#fddbc7",
    "-1": "#d1e5f0", "-2": "#67a9cf", "-3": "#2166ac"
  };

  var KDE = ["#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"];
  var EMERGING = {};

  var LAYERS = {
    kde: {
      title: "Density (KDE)",
      style: function (f) {
        var step = Math.min(KDE.length - 1, Math.floor(f.properties.share * KDE.length));
        return { stroke: false, fillColor: KDE[step], fillOpacity: 0.35 + 0.45 * f.properties.share };
      },
      tip: function (p) { return "density " + p.density + " events per km² (" + Math.round(100 * p.share) + "% of the peak)"; }
    },
    gistar: {
      title: "Gi* hot and cold spots",
      style: function (f) { return { color: "#333", weight: 0.5, fillColor: GI[String(f.properties["class"])], fillOpacity: 0.7 }; },
      tip: function (p) { return p.label + " (z " + p.z + ", p " + p.p + ", " + p.events + " events)"; }
    },
    emerging: {
      title: "Emerging hot and cold spots",
      style: function (f) { return { color: "#222", weight: 1, fillColor: EMERGING[String(f.properties["class"])] || "#999", fillOpacity: 0.8 }; },
      tip: function (p) { return p.label + " (hot in " + p.hot_steps + " steps, cold in " + p.cold_steps + "; " + p.events + " events)"; }
    },
    crime: {
      title: "Crime hot spots only",
      style: function () { return { color: "#7a0177", weight: 0.5, fillColor: "#c994c7", fillOpacity: 0.5 }; },
      tip: function (p) { return "crime hot: " + p.crimes + " crimes, " + p.collisions + " collisions"; }
    },
    collision: {
      title: "Collision hot spots only",
      style: function () { return { color: "#c77700", weight: 0.5, fillColor: "#fdd49e", fillOpacity: 0.5 }; },
      tip: function (p) { return "collision hot: " + p.crimes + " crimes, " + p.collisions + " collisions"; }
    },
    both: {
      title: "Both hot (DDACTS)",
      style: function () { return { color: "#8b0000", weight: 1.5, fillColor: "#b2182b", fillOpacity: 0.75 }; },
      tip: function (p) { return "both hot: " + p.crimes + " crimes, " + p.collisions + " collisions"; }
    }
  };

  function init() {
    var el = document.getElementById("hotspot-map");
    var status = document.getElementById("hotspot-status");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el);
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    var bounds = L.latLngBounds([]);
    var node = document.getElementById("map-data");
    var data = {};
    try { data = node ? JSON.parse(node.textContent) || {} : {}; } catch (e) { data = {}; }
    if (data.palette) {
      GI = data.palette.gistar || GI;
      KDE = data.palette.kde || KDE;
      EMERGING = data.palette.emerging || EMERGING;
    }
    (data.areas || []).forEach(function (a) {
      var layer = L.geoJSON(a.geometry, { style: { color: "#1f4e8c", weight: 3, fill: false } }).addTo(map);
      layer.bindTooltip(a.name);
      bounds.extend(layer.getBounds());
    });
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([0, 0], 2); }

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

    fetch(el.dataset.source, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) {
          return r.json().then(function (body) { throw new Error(body.detail || "HTTP " + r.status); },
                               function () { throw new Error("HTTP " + r.status); });
        }
        return r.json();
      })
      .then(function (fc) {
        var groups = {};
        fc.features.forEach(function (f) {
          var name = f.properties.layer;
          (groups[name] = groups[name] || []).push(f);
        });
        var overlays = {};
        var all = L.featureGroup();
        Object.keys(LAYERS).forEach(function (name) {
          if (!groups[name]) { return; }
          var spec = LAYERS[name];
          var layer = L.geoJSON({ type: "FeatureCollection", features: groups[name] }, {
            style: spec.style,
            onEachFeature: function (f, l) { if (spec.tip) { l.bindTooltip(spec.tip(f.properties)); } }
          }).addTo(map);
          all.addLayer(layer);
          overlays[spec.title] = layer;
          el.dataset[name + "Cells"] = String(groups[name].length);
        });
        if (Object.keys(overlays).length) { L.control.layers(null, overlays).addTo(map); }
        el.dataset.loaded = "1";
        var s = fc.summary;
        var basis = document.getElementById("basis-text");
        if (basis && fc.sentence) { basis.textContent = fc.sentence; }
        if (status && s) {
          var em = s.emerging;
          status.textContent = (s.events || 0) + " events mapped; " + (s.hot_cells || 0) + " hot cells (" +
            (s.hot_99 || 0) + " at 99%), " + (s.cold_cells || 0) + " cold cells." + (s.gistar_note ? " Gi*: " + s.gistar_note + "." : "") +
            (em ? (em.note ? " Emerging: " + em.note + "." : " Emerging classes over " + em.steps + " steps of " + em.step_days + " days.") : "") +
            (s.left_out_text ? " " + s.left_out_text + "." : "");
        } else if (status) {
          status.textContent = fc.features.length + " cells drawn.";
        }
        if (!bounds.isValid() && all.getLayers().length) { map.fitBounds(all.getBounds()); }
      })
      .catch(function (e) { if (status) { status.textContent = "The hot-spot layers could not be loaded (" + e.message + ")."; } });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
