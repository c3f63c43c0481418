/* 生成PDF / 导出Word of a work summary (reports/templates/reports/summaries/_job.html).
 *
 *  [data-report-job-form]  is posted with fetch (the pressed button's fmt, the CSRF token of the form),
 *      the answer is the job's status JSON (reports:report_job_status); then the status is polled every
 *      0.7 s and the Bootstrap progress bar, the step message, the error or the download link follow it.
 *      Without fetch the form posts as a plain form. Network hiccups only slow the polling.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-report-job]");
  if (!box || !window.fetch || !window.FormData) return;
  var form = box.querySelector("[data-report-job-form]");
  var panel = box.querySelector("[data-job-box]");
  var meter = box.querySelector("[data-job-meter]");
  var bar = box.querySelector("[data-job-bar]");
  var message = box.querySelector("[data-job-message]");
  var error = box.querySelector("[data-job-error]");
  var download = box.querySelector("[data-job-download]");
  var label = box.querySelector("[data-job-download-label]");
  var buttons = form.querySelectorAll("button[type=submit]");
  var busy = false;

  function text(name) {
    return box.getAttribute("data-label-" + name) || "";
  }

  function setBusy(value) {
    busy = value;
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = value;
  }

  function show(job) {
    var percent = Math.max(0, Math.min(100, job.progress || 0)) + "%";
    bar.style.width = percent;
    bar.textContent = percent;
    meter.setAttribute("aria-valuenow", String(job.progress || 0));
    message.textContent = job.message || job.state_label || "";
    if (job.state === "failed") {
      bar.classList.remove("progress-bar-animated", "progress-bar-striped");
      bar.classList.add("bg-danger");
      error.textContent = job.error || job.state_label;
      error.hidden = false;
    }
    if (job.state === "done") {
      bar.classList.remove("progress-bar-animated", "progress-bar-striped");
      bar.classList.add("bg-success");
      if (job.download_url) {
        download.href = job.download_url;
        label.textContent = text(job.fmt === "docx" ? "docx" : "pdf");
        download.hidden = false;
      }
    }
  }

  function poll(url, delay) {
    window.setTimeout(function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (job) {
          show(job);
          if (job.finished) {
            setBusy(false);
            return;
          }
          poll(url, 700);
        })
        .catch(function () {
          poll(url, Math.min(delay * 2, 10000));
        });
    }, delay);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    var data = new FormData(form);
    var pressed = event.submitter;
    data.set("fmt", pressed && pressed.value ? pressed.value : "pdf");
    panel.hidden = false;
    error.hidden = true;
    download.hidden = true;
    bar.classList.remove("bg-danger", "bg-success");
    bar.classList.add("progress-bar-striped", "progress-bar-animated");
    show({ progress: 0, message: text("waiting") });
    setBusy(true);
    fetch(form.action, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.text().then(function (raw) {
          var body = null;
          try {
            body = JSON.parse(raw);
          } catch (ignored) {
            body = null;
          }
          if (!response.ok || !body) {
            var refused = text(response.status === 403 ? "forbidden" : "refused");
            throw new Error((body && body.error) || refused + "（" + response.status + "）");
          }
          return body;
        });
      })
      .then(function (job) {
        show(job);
        if (job.finished) {
          setBusy(false);
        } else {
          poll(job.status_url, 500);
        }
      })
      .catch(function (e) {
        setBusy(false);
        error.textContent = e.message || text("refused");
        error.hidden = false;
      });
  });
})();
