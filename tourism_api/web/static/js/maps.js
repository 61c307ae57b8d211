// Small read-only maps: the records a search found (find page), and a change of place or
// area before and after (review page). Drawn from the page's own data, so they show even
// when the base map cannot load.
(function () {
  "use strict";
  if (!window.L) { return; }
  function base(el) {
    el.classList.add("live");
    var map = L.map(el, { keyboard: true });
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
    return map;
  }

  var found = document.getElementById("results-map");
  if (found) {
    var rows = document.querySelectorAll("#results tr[data-lat]");
    if (rows.length) {
      var map = base(found);
      var group = L.featureGroup().addTo(map);
      rows.forEach(function (row) {
        var link = row.querySelector("a");
        var marker = L.marker([parseFloat(row.dataset.lat), parseFloat(row.dataset.lon)], {
          title: link.textContent, keyboard: true
        });
        var popup = document.createElement("a");
        popup.href = link.href;
        popup.textContent = link.textContent;
        marker.bindPopup(popup);
        group.addLayer(marker);
      });
      map.fitBounds(group.getBounds().pad(0.2), { maxZoom: 16 });
    }
  }

  document.querySelectorAll(".diff-map").forEach(function (el) {
    var map = base(el);
    var group = L.featureGroup().addTo(map);
    [["old", { color: "#a32020", dashArray: "6 6" }], ["new", { color: "#1f6f43" }]].forEach(function (pair) {
      var geometry = JSON.parse(el.dataset[pair[0]] || "null");
      if (!geometry) { return; }
      L.geoJSON(geometry, {
        style: pair[1],
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, Object.assign({ radius: 8, fillOpacity: 0.6 }, pair[1]));
        }
      }).eachLayer(function (layer) { group.addLayer(layer); });
    });
    if (group.getLayers().length) { map.fitBounds(group.getBounds().pad(0.3), { maxZoom: 17 }); }
  });
})();
