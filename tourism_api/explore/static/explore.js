// The tourist app: the map (the API's own vector tiles over a base map), suggestions as you
// type, "near me", filters and the list beside the map. Everything goes through the public
// API; the page's first list came with the HTML.
(function () {
  "use strict";
  var strings = JSON.parse(document.getElementById("strings").textContent);
  var mapElement = document.getElementById("map");
  var lang = mapElement.dataset.lang;
  var home = JSON.parse(mapElement.dataset.home);
  var results = document.getElementById("results");
  var status = document.getElementById("status");
  var input = document.getElementById("q");
  var suggestions = document.getElementById("suggestions");
  var filters = {
    kind: document.getElementById("f-kind"),
    category: document.getElementById("f-category"),
    open_now: document.getElementById("f-open"),
    wheelchair: document.getElementById("f-wheelchair"),
    free: document.getElementById("f-free")
  };
  var here = null; // [lon, lat] once the visitor shared it
  var map = null;
  var sitesLayer = null;
  var highlight = null;

  // -- the map --------------------------------------------------------------------------
  if (window.L && L.vectorGrid) {
    // Leaflet 1.9 no longer has fakeStop, which VectorGrid's canvas click handler calls.
    if (!L.DomEvent.fakeStop) { L.DomEvent.fakeStop = L.DomEvent.stopPropagation; }
    map = L.map(mapElement, { zoomControl: true }).setView([home[1], home[0]], 13);
    if (mapElement.dataset.tiles) {
      var base = L.tileLayer(mapElement.dataset.tiles, {
        attribution: mapElement.dataset.attribution, maxZoom: 19
      });
      var failures = 0;
      base.on("tileerror", function () {
        failures += 1;
        if (failures === 4) { say(strings.mapUnavailable); }
      });
      base.addTo(map);
    }
    drawSites();
  }

  function tileUrl() {
    var url = "/collections/sites/tiles/WebMercatorQuad/{z}/{y}/{x}?lang=" + lang;
    if (filters.open_now.checked) url += "&open_now=true";
    return url;
  }

  function drawSites() {
    if (!map) return;
    if (sitesLayer) map.removeLayer(sitesLayer);
    sitesLayer = L.vectorGrid.protobuf(tileUrl(), {
      rendererFactory: L.canvas.tile,
      interactive: true,
      maxNativeZoom: 18,
      getFeatureId: function (feature) { return feature.properties.id; },
      vectorTileLayerStyles: {
        sites: function (properties) {
          var count = properties.count || 1;
          return {
            radius: Math.min(5 + Math.sqrt(count) * 2, 16),
            fill: true, fillColor: "#7a1f1f", fillOpacity: 0.85,
            color: "#fff", weight: 1.5
          };
        }
      }
    });
    sitesLayer.on("click", function (event) {
      var p = event.layer.properties;
      var link = document.createElement("a");
      link.href = "/explore/sites/" + encodeURIComponent(p.id);
      link.textContent = p.name;
      L.popup().setLatLng(event.latlng).setContent(link).openOn(map);
    });
    sitesLayer.addTo(map);
  }

  // -- the list ---------------------------------------------------------------------------
  function say(text) { status.textContent = text || ""; }

  function distance(metres) {
    if (metres == null) return "";
    return metres < 1000 ? Math.round(metres) + " " + strings.m
      : (metres / 1000).toFixed(1) + " " + strings.km;
  }

  function render(items) {
    results.textContent = "";
    if (!items.length) {
      var empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = strings.noResults;
      results.appendChild(empty);
      return;
    }
    var bounds = [];
    items.forEach(function (site) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/explore/sites/" + encodeURIComponent(site.slug);
      link.textContent = site.display.name;
      if (site.display.lang) link.lang = site.display.lang;
      item.appendChild(link);
      if (site.open_now !== null && site.open_now !== undefined) {
        var state = document.createElement("span");
        state.className = "state " + (site.open_now ? "open" : "closed");
        state.textContent = site.open_now ? strings.open : strings.closed;
        item.appendChild(state);
      }
      if (site.distance_m != null) {
        var far = document.createElement("span");
        far.className = "distance";
        far.textContent = distance(site.distance_m);
        item.appendChild(far);
      }
      if (site.display.short_description) {
        var text = document.createElement("p");
        text.textContent = site.display.short_description;
        if (site.display.short_description_lang) text.lang = site.display.short_description_lang;
        item.appendChild(text);
      }
      var c = site.location.coordinates;
      item.addEventListener("mouseenter", function () { mark(c); });
      bounds.push([c[1], c[0]]);
      results.appendChild(item);
    });
    if (map && bounds.length) map.fitBounds(bounds, { maxZoom: 15, padding: [24, 24] });
  }

  function mark(c) {
    if (!map) return;
    if (highlight) map.removeLayer(highlight);
    highlight = L.circleMarker([c[1], c[0]], { radius: 12, color: "#d4a017", weight: 3, fill: false }).addTo(map);
  }

  function query() {
    var params = new URLSearchParams({ lang: lang, limit: "30" });
    ["kind", "category"].forEach(function (name) {
      if (filters[name].value) params.set(name, filters[name].value);
    });
    ["open_now", "wheelchair", "free"].forEach(function (name) {
      if (filters[name].checked) params.set(name, "true");
    });
    var text = input.value.trim();
    if (text) params.set("q", text);
    if (here) {
      params.set("lon", here[0]); params.set("lat", here[1]);
      params.set("radius", "20000");
      if (!text) params.set("sort", "distance");
    }
    return params;
  }

  function refresh() {
    var params = query();
    var path = params.has("q") ? "/v1/search" : "/v1/sites";
    say("…");
    return fetch(path + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (page) { say(""); render(page.items); })
      .catch(function () { say(navigator.onLine ? strings.noResults : strings.offline); });
  }

  Object.keys(filters).forEach(function (name) {
    filters[name].addEventListener("change", function () {
      if (name === "open_now") drawSites();
      refresh();
    });
  });

  // -- near me ------------------------------------------------------------------------------
  document.getElementById("near-me").addEventListener("click", function () {
    if (!navigator.geolocation) { say(strings.noLocation); return; }
    say(strings.locating);
    navigator.geolocation.getCurrentPosition(function (position) {
      here = [position.coords.longitude, position.coords.latitude];
      if (map) {
        map.setView([here[1], here[0]], 15);
        L.circleMarker([here[1], here[0]], { radius: 7, color: "#1c5fa8", fillOpacity: 0.9 }).addTo(map);
      }
      refresh();
    }, function () { say(strings.noLocation); }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
  });

  // -- the search box and its suggestions ---------------------------------------------------
  var timer = null;
  var active = -1;

  function closeSuggestions() {
    suggestions.hidden = true;
    suggestions.textContent = "";
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }

  function showSuggestions(items) {
    suggestions.textContent = "";
    items.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = "suggestion-" + index;
      option.setAttribute("role", "option");
      option.textContent = item.name;
      if (item.lang) option.lang = item.lang;
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        window.location.href = "/explore/sites/" + encodeURIComponent(item.slug);
      });
      suggestions.appendChild(option);
    });
    suggestions.hidden = !items.length;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (text.length < 2) { closeSuggestions(); return; }
    timer = setTimeout(function () {
      fetch("/v1/suggest?" + new URLSearchParams({ q: text, lang: lang, limit: "8" }))
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (body) { if (input.value.trim() === text) showSuggestions(body.items || []); })
        .catch(closeSuggestions);
    }, 150);
  });

  input.addEventListener("keydown", function (event) {
    var options = suggestions.querySelectorAll("li");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
    } else if (event.key === "Enter" && active >= 0 && options[active]) {
      event.preventDefault();
      options[active].dispatchEvent(new MouseEvent("mousedown"));
    } else if (event.key === "Escape") {
      closeSuggestions();
    }
  });
  input.addEventListener("blur", function () { setTimeout(closeSuggestions, 150); });

  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    closeSuggestions();
    refresh();
  });

  if (input.value.trim()) refresh();
})();
