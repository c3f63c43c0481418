/* 区安全生产工作台账 — small, dependency-free behaviour for every page.
 *
 * Loaded at the end of <body> (after bootstrap.bundle.min.js), so the page above is already parsed:
 * the form decoration runs at once, before the first paint, and raw widgets never flash unstyled.
 *
 *  [data-form-fields]      container of Django widgets: adds Bootstrap classes by widget type
 *                          (form-control / form-select / form-check-input / form-range), and
 *                          is-invalid where Django marked the field aria-invalid="true".
 *  select[multiple]        on a mouse, a plain click toggles an option (no Ctrl needed), and a
 *                          line under it counts the chosen options. Phones use the system picker.
 *  [data-confirm="…"]      on a button, link or form: asks first; cancelling stops the action.
 *  button[data-confirm][data-confirm-action="URL"]
 *                          once confirmed, the button posts to URL; without JavaScript it posts to
 *                          its formaction/form action, a confirmation page (no-JS fallback).
 *  form (method=post)      submit buttons are disabled after the first submit (no double posts);
 *                          opt out with data-no-disable on the form.
 *  form[data-autosubmit]   a change of one of its selects submits the form.
 *  [data-history-back]     a button that goes back one page (no inline onclick, CSP-friendly).
 *  [data-major-toggle="funds contingency_plan"]   (a form, or one line of a form such as 录入检查 step 4)
 *                          shows the listed fields (and [data-major-only] blocks) only while the
 *                          form's level select says 重大 (value "major"); the server still decides.
 *  input[data-default-days="30"]   (a date control, see date_input.js)
 *                          an empty date is filled with today + N days (the server applies the same default).
 *  input[data-default-general][data-default-major]
 *                          a proposed 整改期限 by level (hazards' one rule): a deadline still at one level's
 *                          default follows the form's level select to the other level's default.
 *  form input[type=file]   a Chinese button 选择文件 (选择照片 when it takes images) labelled for the input, which
 *                          stays focusable but visually hidden, and a line with 未选择文件 or the chosen names —
 *                          the browser's own control speaks the browser's language. Without JS it stays native.
 */
(function () {
  "use strict";

  // ---------- Bootstrap classes for Django widgets ----------

  function classFor(el) {
    var tag = el.tagName;
    if (tag === "SELECT") return "form-select";
    if (tag === "TEXTAREA") return "form-control";
    if (tag !== "INPUT") return null;
    switch ((el.getAttribute("type") || "text").toLowerCase()) {
      case "hidden":
      case "submit":
      case "button":
      case "reset":
      case "image":
        return null;
      case "checkbox":
      case "radio":
        return "form-check-input";
      case "range":
        return "form-range";
      case "color":
        return "form-control form-control-color";
      default:
        return "form-control";
    }
  }

  var BOOTSTRAP_CONTROL = /(^|\s)(form-control|form-select|form-check-input|form-range|btn)(\s|$)/;

  function decorate(root) {
    var scope = root || document;
    var boxes = scope.querySelectorAll ? scope.querySelectorAll("[data-form-fields]") : [];
    Array.prototype.forEach.call(boxes, function (box) {
      var controls = box.querySelectorAll("input, select, textarea");
      Array.prototype.forEach.call(controls, function (el) {
        var cls = classFor(el);
        if (cls && !BOOTSTRAP_CONTROL.test(el.className)) {
          cls.split(" ").forEach(function (c) { el.classList.add(c); });
        }
        if (el.getAttribute("aria-invalid") === "true") {
          el.classList.add("is-invalid");
        }
        if (el.tagName === "SELECT" && el.multiple) {
          enhanceMultiple(el);
        }
      });
      // A field marked invalid by the template (choice lists, file inputs) marks its controls too.
      Array.prototype.forEach.call(box.querySelectorAll(".is-invalid-field"), function (field) {
        Array.prototype.forEach.call(field.querySelectorAll("input:not([type=hidden]), select, textarea"), function (el) {
          el.classList.add("is-invalid");
        });
      });
    });
  }

  // ---------- multiple selects ----------

  var finePointer = window.matchMedia && window.matchMedia("(pointer: fine)").matches;

  function enhanceMultiple(select) {
    if (select.dataset.enhanced) return;
    select.dataset.enhanced = "1";

    var count = document.createElement("div");
    count.className = "multi-count";
    count.setAttribute("aria-live", "polite");
    select.insertAdjacentElement("afterend", count);
    function update() {
      var n = select.selectedOptions ? select.selectedOptions.length
        : Array.prototype.filter.call(select.options, function (o) { return o.selected; }).length;
      count.textContent = n ? "已选 " + n + " 项" : (finePointer ? "点击选择，可多选" : "可多选");
    }
    select.addEventListener("change", update);
    update();

    if (!finePointer) return; // touch: the system picker already has checkboxes
    select.addEventListener("mousedown", function (event) {
      var option = event.target;
      if (option.tagName !== "OPTION" || option.disabled) return;
      event.preventDefault();
      var top = select.scrollTop;
      option.selected = !option.selected;
      select.focus();
      // Keep the list where it was: some browsers jump to the toggled option.
      window.setTimeout(function () { select.scrollTop = top; }, 0);
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  // ---------- confirm dialogs ----------

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (!el || el.tagName === "FORM") return;
    if (!window.confirm(el.getAttribute("data-confirm") || "确定要继续吗？")) {
      event.preventDefault();
      event.stopImmediatePropagation();
    } else {
      el.setAttribute("data-confirmed", "1");
      // Confirmed here: go straight to the action. Without JavaScript the button's own formaction
      // leads to a confirmation page instead (e.g. 复查通过，销号).
      if (el.hasAttribute("data-confirm-action")) {
        el.setAttribute("formaction", el.getAttribute("data-confirm-action"));
      }
    }
  }, true);

  // ---------- form submission ----------

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;

    var submitter = event.submitter || null;
    var confirmedByButton = submitter && submitter.getAttribute("data-confirmed") === "1";
    if (submitter) submitter.removeAttribute("data-confirmed");
    if (form.hasAttribute("data-confirm") && !confirmedByButton) {
      if (!window.confirm(form.getAttribute("data-confirm") || "确定要继续吗？")) {
        event.preventDefault();
        return;
      }
    }
    if (event.defaultPrevented) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.hasAttribute("data-no-disable")) return;

    // Disable after the browser has collected the form data, so the clicked button's
    // name/value (e.g. name="action" value="close") is still sent.
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
      Array.prototype.forEach.call(buttons, function (btn) {
        btn.disabled = true;
        btn.setAttribute("data-disabled-on-submit", "1");
      });
      if (submitter && submitter.tagName === "BUTTON" && !submitter.querySelector(".spinner-border")) {
        var spin = document.createElement("span");
        spin.className = "spinner-border spinner-border-sm ms-1";
        spin.setAttribute("aria-hidden", "true");
        submitter.appendChild(spin);
      }
      // A post that answers with a download leaves us on this page: give the buttons back.
      window.setTimeout(function () { release(form); }, 8000);
    }, 0);
  });

  function release(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-disabled-on-submit]"), function (btn) {
      btn.disabled = false;
      btn.removeAttribute("data-disabled-on-submit");
      var spin = btn.querySelector(".spinner-border");
      if (spin) spin.remove();
    });
  }

  // Back button (page restored from the back/forward cache): buttons usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) release(document);
  });

  // ---------- [data-history-back]: a "返回上一页" button ----------

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-history-back]") : null;
    if (!el) return;
    event.preventDefault();
    if (window.history.length > 1) window.history.back();
    else window.location.href = "/";
  });

  // ---------- auto-submit ----------

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.tagName !== "SELECT" || !el.form || !el.form.hasAttribute("data-autosubmit")) return;
    if (el.form.requestSubmit) el.form.requestSubmit();
    else el.form.submit();
  });

  // ---------- 五落实 fields of a major hazard ----------

  function majorToggle(form) {
    var level = form.querySelector("select[name$='level']:not([name$='listing_level'])");
    if (!level) return;
    (form.getAttribute("data-major-toggle") || "funds contingency_plan").split(/\s+/).forEach(function (name) {
      var input = name && form.querySelector("[name='" + name + "']");
      var field = input && input.closest(".form-field");
      if (field) field.setAttribute("data-major-only", "");
    });
    function update() { form.classList.toggle("is-major", level.value === "major"); }
    level.addEventListener("change", update);
    update();
    form.classList.add("major-ready");
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-major-toggle]"), majorToggle);

  // ---------- default dates ----------

  Array.prototype.forEach.call(document.querySelectorAll("input[data-default-days]"), function (input) {
    if (input.value) return;
    var d = new Date();
    d.setDate(d.getDate() + (parseInt(input.getAttribute("data-default-days"), 10) || 0));
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    input.value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  });

  Array.prototype.forEach.call(document.querySelectorAll("input[data-default-general][data-default-major]"), function (input) {
    var box = input.closest("[data-major-toggle]") || input.form;
    var level = box && box.querySelector("select[name$='level']:not([name$='listing_level'])");
    if (!level) return;
    level.addEventListener("change", function () {
      var general = input.getAttribute("data-default-general");
      var major = input.getAttribute("data-default-major");
      if (input.value === general || input.value === major || !input.value) {
        input.value = level.value === "major" ? major : general;
      }
    });
  });

  // ---------- file inputs: Chinese button and chosen names ----------

  var fileSeq = 0;

  function enhanceFiles(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("form input[type=file]"), function (input) {
      if (input.dataset.filePick) return;
      input.dataset.filePick = "1";
      if (!input.id) input.id = "file-pick-" + (++fileSeq);
      var photos = /^image\//.test(input.getAttribute("accept") || "");

      var box = document.createElement("div");
      box.className = "file-pick";
      var button = document.createElement("label");
      button.className = "btn btn-outline-secondary btn-sm";
      button.setAttribute("for", input.id);
      button.textContent = photos ? "选择照片" : "选择文件";
      var names = document.createElement("span");
      names.className = "file-pick-names";
      names.setAttribute("aria-live", "polite");
      box.appendChild(button);
      box.appendChild(names);
      input.classList.add("visually-hidden", "file-pick-input");
      input.insertAdjacentElement("afterend", box);

      function update() {
        var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
        names.textContent = !files.length ? "未选择文件"
          : files.length === 1 ? files[0] : "已选择 " + files.length + " 个文件";
        names.title = files.join("、");
        box.classList.toggle("is-invalid", input.classList.contains("is-invalid"));
      }
      input.addEventListener("change", update);
      if (input.form) input.form.addEventListener("reset", function () { window.setTimeout(update, 0); });
      update();
    });
  }

  // ---------- go ----------

  decorate(document);
  enhanceFiles(document);
  window.App = { decorate: decorate, enhanceFiles: enhanceFiles };
})();
