// The tourist app's service worker. Pages and API answers: network first, the saved copy
// when there is no network (a page seen once reopens offline). Scripts and styles: the saved
// copy first (they change only with a new version of the app). Our own tiles: the saved
// copy at once, refreshed behind it. Nothing is saved from other servers.
"use strict";
var VERSION = "__VERSION__";
var SHELL = "explore-shell-" + VERSION;
var PAGES = "explore-pages";
var TILES = "explore-tiles";
var MAX_TILES = 400;
var SHELL_FILES = [
  "/explore/",
  "/explore/static/explore.css",
  "/explore/static/explore.js",
  "/explore/static/site.js",
  "/explore/static/plan.js",
  "/explore/static/register-sw.js",
  "/explore/static/vendor/leaflet/leaflet.js",
  "/explore/static/vendor/leaflet/leaflet.css",
  "/explore/static/vendor/vectorgrid/Leaflet.VectorGrid.bundled.min.js",
  "/explore/manifest.webmanifest",
  "/explore/static/icon-192.png"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(SHELL_FILES); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("explore-shell-") === 0 && name !== SHELL;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request, cacheName) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(cacheName).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (saved) {
      return saved || caches.match("/explore/");
    });
  });
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    if (keys.length > MAX_TILES) return cache.delete(keys[0]).then(function () { return trim(cache); });
  });
}

// Tiles: the saved copy at once (a map that draws without a signal), refreshed behind it
// (a changed catalogue shows on the next view).
function staleWhileRevalidate(request, cacheName) {
  return caches.open(cacheName).then(function (cache) {
    return cache.match(request).then(function (saved) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) {
          cache.put(request, response.clone()).then(function () { return trim(cache); });
        }
        return response;
      }).catch(function () { return saved; });
      return saved || fresh;
    });
  });
}

function cacheFirst(request, cacheName) {
  return caches.match(request).then(function (saved) {
    if (saved) return saved;
    return fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(cacheName).then(function (cache) {
          return cache.put(request, copy).then(function () { return trim(cache); });
        });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/tiles/WebMercatorQuad/") > 0 && !url.searchParams.has("open_now")) {
    event.respondWith(staleWhileRevalidate(request, TILES));
  } else if (url.pathname.indexOf("/explore/static/") === 0) {
    event.respondWith(cacheFirst(request, SHELL));
  } else if (url.pathname.indexOf("/v1/media/") === 0) {
    event.respondWith(cacheFirst(request, PAGES));
  } else if (url.pathname.indexOf("/explore") === 0 || url.pathname.indexOf("/v1/") === 0) {
    event.respondWith(networkFirst(request, PAGES));
  }
});
