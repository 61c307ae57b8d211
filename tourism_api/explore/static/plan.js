// Plan my day: the chosen sites (or suggestions near the start) timed by POST
// /v1/itineraries, drawn on the map in order, with what was left out and why.
(function () {
  "use strict";
  var words = JSON.parse(document.getElementById("plan-strings").textContent);
  var form = document.getElementById("plan-form");
  var status = document.getElementById("plan-status");
  var stops = document.getElementById("plan-stops");
  var left = document.getElementById("plan-left");
  var leftList = document.getElementById("plan-left-list");
  var mapElement = document.getElementById("plan-map");
  var home = JSON.parse(mapElement.dataset.home);
  var lang = mapElement.dataset.lang;
  var map = null;
  var drawn = null;
  var start = { lon: home[0], lat: home[1] };

  if (window.L) {
    map = L.map(mapElement).setView([home[1], home[0]], 12);
    if (mapElement.dataset.tiles) {
      L.tileLayer(mapElement.dataset.tiles, { attribution: mapElement.dataset.attribution, maxZoom: 19 }).addTo(map);
    }
  }
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (p) {
      start = { lon: p.coords.longitude, lat: p.coords.latitude };
    }, function () {}, { timeout: 8000, maximumAge: 300000 });
  }

  var field = document.getElementById("p-start");
  var now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000);
  field.value = now.toISOString().slice(0, 16);

  function clock(iso) { return iso.slice(11, 16); }

  function offset() {
    // The visitor's own offset, so "08:00" means eight in the morning where they are.
    var minutes = -new Date().getTimezoneOffset();
    var sign = minutes >= 0 ? "+" : "-";
    var abs = Math.abs(minutes);
    return sign + String(Math.floor(abs / 60)).padStart(2, "0") + ":" + String(abs % 60).padStart(2, "0");
  }

  function show(plan) {
    stops.textContent = "";
    plan.stops.forEach(function (stop, index) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/explore/sites/" + encodeURIComponent(stop.site.slug);
      link.textContent = (index + 1) + ". " + stop.site.name;
      if (stop.site.lang) link.lang = stop.site.lang;
      item.appendChild(link);
      var when = document.createElement("p");
      when.className = "when";
      when.textContent = clock(stop.arrive) + "–" + clock(stop.depart) + " · " +
        stop.travel_minutes + " " + words.minutes;
      item.appendChild(when);
      stop.events.forEach(function (event) {
        var note = document.createElement("p");
        note.textContent = "★ " + event.name;
        item.appendChild(note);
      });
      stops.appendChild(item);
    });
    leftList.textContent = "";
    plan.left_out.forEach(function (out) {
      var item = document.createElement("li");
      item.textContent = out.message;
      leftList.appendChild(item);
    });
    left.hidden = !plan.left_out.length;
    status.textContent = plan.stops.length ? words.back + " " + clock(plan.end.arrive) : words.nothing;
    if (map) {
      if (drawn) map.removeLayer(drawn);
      var line = plan.route.coordinates.map(function (c) { return [c[1], c[0]]; });
      drawn = L.featureGroup([L.polyline(line, { color: "#7a1f1f", weight: 4 })].concat(
        plan.stops.map(function (stop, index) {
          var c = stop.site.location.coordinates;
          return L.marker([c[1], c[0]], { title: (index + 1) + ". " + stop.site.name });
        })
      )).addTo(map);
      map.fitBounds(drawn.getBounds(), { padding: [24, 24] });
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = Array.prototype.map.call(
      document.getElementById("p-sites").selectedOptions, function (o) { return o.value; });
    var body = {
      start: start,
      start_time: field.value + ":00" + offset(),
      budget_minutes: Math.round(Number(document.getElementById("p-hours").value) * 60),
      mode: document.getElementById("p-mode").value,
      lang: lang
    };
    if (chosen.length) { body.sites = chosen; } else { body.categories = ["cultural-heritage"]; }
    status.textContent = "…";
    fetch("/v1/itineraries", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (answer) {
      if (!answer.ok) { status.textContent = answer.json.message; return; }
      show(answer.json);
    }).catch(function () { status.textContent = words.offline; });
  });
})();
