// A job's progress bar, read from the API twice a second; when the job is done, on to its
// result. (Without this script the page refreshes itself every few seconds.)
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("job-progress");
  var count = document.getElementById("job-count");
  var status = document.getElementById("job-status");
  function poll() {
    fetch(box.dataset.job, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.json(); })
      .then(function (job) {
        if (job.total) { bar.max = job.total; bar.value = job.done; }
        count.textContent = job.done + (job.total ? " / " + job.total : "");
        status.textContent = job.status;
        if (job.status === "done" || job.status === "failed") { window.location.reload(); return; }
        window.setTimeout(poll, 500);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  if (box.dataset.status === "queued" || box.dataset.status === "running") { poll(); }
})();
