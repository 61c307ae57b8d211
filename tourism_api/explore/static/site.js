// A site page: photos open in deep zoom (IIIF, OpenSeadragon loaded only when asked for,
// so a first visit downloads none of it).
(function () {
  "use strict";
  var viewerScript = "/explore/static/vendor/openseadragon/openseadragon.min.js";
  var loading = null;

  function load() {
    if (window.OpenSeadragon) return Promise.resolve();
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = viewerScript;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function open(info) {
    var dialog = document.createElement("dialog");
    dialog.className = "zoom-dialog";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", function () { dialog.close(); dialog.remove(); });
    var area = document.createElement("div");
    area.className = "zoom-area";
    area.id = "zoom-area";
    dialog.appendChild(close);
    dialog.appendChild(area);
    document.body.appendChild(dialog);
    dialog.showModal();
    window.OpenSeadragon({
      element: area,
      tileSources: info,
      prefixUrl: "/explore/static/vendor/openseadragon/images/",
      showNavigationControl: true
    });
  }

  document.querySelectorAll("a.zoom").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      load().then(function () { open(link.dataset.info); })
        .catch(function () { window.location.href = link.href; });
    });
  });
})();
