// The service worker keeps the app shell, the pages and the tiles already seen for when the
// signal goes; the note says so when the phone is offline.
(function () {
  "use strict";
  var note = document.getElementById("offline-note");
  function show() { if (note) note.hidden = navigator.onLine; }
  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  show();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/explore/sw.js", { scope: "/explore/" }).catch(function () {});
  }
})();
