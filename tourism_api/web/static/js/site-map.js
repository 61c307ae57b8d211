// The edit page's map: click to place the site, drag the marker to move it, or type the
// coordinates; draw or edit its area (polygon, several polygons, or a line). Everything
// writes into the form's own fields, so the form also works without this script.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var lat = document.getElementById("f-lat");
  var lon = document.getElementById("f-lon");
  var footprint = document.getElementById("f-footprint");
  var map = L.map(el, { keyboard: true });
  el.classList.add("live");
  // The base map may not load (no network at a monument): the site's own marker and
  // area are drawn regardless.
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);

  var marker = null;
  function write(latlng) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
  }
  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); return; }
    marker = L.marker(latlng, { draggable: true, keyboard: true, pmIgnore: true, title: lat.labels[0].textContent })
      .addTo(map);
    marker.on("dragend", function () { write(marker.getLatLng()); });
  }
  function typed() {
    var point = [parseFloat(lat.value.replace(",", ".")), parseFloat(lon.value.replace(",", "."))];
    return isFinite(point[0]) && isFinite(point[1]) && Math.abs(point[0]) <= 90 ? point : null;
  }
  var start = typed();
  if (start) { map.setView(start, 16); place(start); } else { map.setView([16.4637, 107.5909], 12); }
  // While an area is being drawn, clicks are its corners, not the site's place.
  var drawing = false;
  map.on("pm:drawstart", function () { drawing = true; });
  map.on("pm:drawend", function () { window.setTimeout(function () { drawing = false; }, 0); });
  map.on("click", function (event) {
    if (drawing) { return; }
    place(event.latlng);
    write(event.latlng);
  });
  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function () {
      var point = typed();
      if (point) { place(point); map.panTo(point); }
    });
  });

  // The area, edited with Leaflet-Geoman and kept in the footprint field as GeoJSON.
  var shapes = L.featureGroup().addTo(map);
  if (footprint.value.trim()) {
    try {
      L.geoJSON(JSON.parse(footprint.value)).eachLayer(function (layer) { shapes.addLayer(layer); });
    } catch (ignored) { /* the server says what is wrong with it */ }
  }
  function geometry() {
    var polygons = [], lines = [], others = [];
    shapes.eachLayer(function (layer) {
      var g = layer.toGeoJSON().geometry;
      if (g.type === "Polygon") { polygons.push(g.coordinates); }
      else if (g.type === "MultiPolygon") { polygons = polygons.concat(g.coordinates); }
      else if (g.type === "LineString") { lines.push(g.coordinates); }
      else { others.push(g); }
    });
    if (!polygons.length && !lines.length && !others.length) { return null; }
    if (polygons.length && !lines.length && !others.length) {
      return polygons.length === 1 ? { type: "Polygon", coordinates: polygons[0] }
        : { type: "MultiPolygon", coordinates: polygons };
    }
    if (lines.length && !polygons.length && !others.length) {
      return lines.length === 1 ? { type: "LineString", coordinates: lines[0] }
        : { type: "MultiLineString", coordinates: lines };
    }
    return {
      type: "GeometryCollection",
      geometries: others
        .concat(polygons.map(function (c) { return { type: "Polygon", coordinates: c }; }))
        .concat(lines.map(function (c) { return { type: "LineString", coordinates: c }; }))
    };
  }
  function sync() {
    var g = geometry();
    footprint.value = g ? JSON.stringify(g) : "";
  }
  if (map.pm) {
    map.pm.setGlobalOptions({ layerGroup: shapes });
    map.pm.addControls({
      position: "topleft", drawMarker: false, drawCircleMarker: false, drawCircle: false,
      drawText: false, cutPolygon: false, rotateMode: false
    });
    map.on("pm:create", function (event) { shapes.addLayer(event.layer); sync(); });
    map.on("pm:remove", function (event) { shapes.removeLayer(event.layer); sync(); });
    shapes.on("pm:edit pm:dragend", sync);
    map.on("pm:globaleditmodetoggled pm:globaldragmodetoggled", sync);
  }
  if (shapes.getLayers().length && !start) { map.fitBounds(shapes.getBounds()); }
})();
