// Photos: drop or choose several, each uploaded to the API with its own progress bar
// (the plain form posts them all at once without this script); deep zoom through the
// site's own IIIF image service with OpenSeadragon.
(function () {
  "use strict";
  var section = document.getElementById("photos");
  if (!section) { return; }
  var form = document.getElementById("photo-upload");
  var csrf = document.querySelector("meta[name=csrf-token]").content;

  function uploadOne(file, list) {
    return new Promise(function (resolve) {
      var item = document.createElement("li");
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      var label = document.createElement("span");
      label.textContent = " " + file.name;
      item.appendChild(bar); item.appendChild(label);
      list.appendChild(item);
      var body = new FormData();
      body.append("file", file, file.name);
      var request = new XMLHttpRequest();
      request.open("POST", section.dataset.upload);
      request.setRequestHeader("X-CSRF-Token", csrf);
      request.upload.onprogress = function (event) {
        if (event.lengthComputable) { bar.value = Math.round(100 * event.loaded / event.total); }
      };
      request.onload = function () {
        var ok = request.status === 201;
        bar.value = 100;
        item.className = ok ? "done" : "problem";
        if (!ok) {
          var message = request.statusText;
          try { message = JSON.parse(request.responseText).message; } catch (ignored) { /* not JSON */ }
          label.textContent = " " + file.name + ": " + message;
        }
        resolve(ok);
      };
      request.onerror = function () { item.className = "problem"; resolve(false); };
      request.send(body);
    });
  }

  function uploadAll(files) {
    var list = document.getElementById("upload-progress");
    var chosen = Array.prototype.slice.call(files);
    if (!chosen.length) { return; }
    // One after another: a phone on a weak signal does better than with parallel uploads.
    var results = [];
    chosen.reduce(function (previous, file) {
      return previous.then(function () { return uploadOne(file, list).then(function (ok) { results.push(ok); }); });
    }, Promise.resolve()).then(function () {
      if (results.every(Boolean)) { window.location.hash = "photos"; window.location.reload(); }
      else {
        // Keep the reasons on screen; the photos that did go up appear after a reload.
        var again = document.createElement("button");
        again.type = "button";
        again.className = "link";
        again.textContent = "↻";
        again.addEventListener("click", function () { window.location.reload(); });
        list.appendChild(again);
      }
    });
  }

  if (form) {
    var input = document.getElementById("photo-files");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      uploadAll(input.files);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) { event.preventDefault(); form.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("over"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      uploadAll(event.dataTransfer.files);
    });
  }

  var dialog = document.getElementById("zoom-dialog");
  var viewer = null;
  section.addEventListener("click", function (event) {
    var button = event.target.closest("button.zoom");
    if (!button || !window.OpenSeadragon || !dialog.showModal) { return; }
    dialog.showModal();
    if (viewer) { viewer.destroy(); }
    viewer = OpenSeadragon({
      element: document.getElementById("zoom-viewer"),
      tileSources: button.dataset.info,
      showNavigationControl: true,
      prefixUrl: document.querySelector("script[src*=openseadragon]").src.replace(/openseadragon\.min\.js$/, "images/")
    });
  });
})();
