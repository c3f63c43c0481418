/* Progress bar of a background ledger import (accounts.ImportJob).
 *
 *  [data-import-job][data-status-url]  polls the JSON status (core:import_job_status) every
 *      second and moves the bar; when the job has finished, reloads the page, which then shows the
 *      result (the counts, or every error by row and column). Network hiccups only slow the polling.
 *      The page also reloads when the job becomes, or stops being, "unqueued" (Redis refused it).
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-import-job]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector(".progress-bar");
  var meter = box.querySelector("[role=progressbar]");
  var label = box.querySelector("[data-import-label]");
  var count = box.querySelector("[data-import-count]");
  var delay = 1000;
  // A job Redis refused (未能排队) shows a warning and 重新提交: reload when it becomes one, or stops being one.
  var unqueued = box.getAttribute("data-import-status") === "unqueued";

  function show(job) {
    var percent = job.percent + "%";
    bar.style.width = percent;
    bar.textContent = percent;
    meter.setAttribute("aria-valuenow", String(job.percent));
    label.textContent = job.status_label;
    count.textContent = job.total ? job.done + " / " + job.total : "";
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.finished || (job.status === "unqueued") !== unqueued) {
          window.location.reload();
          return;
        }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, 500);
})();
