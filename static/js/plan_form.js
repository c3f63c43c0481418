/* 检查计划 form: "增加一行" copies the formset's empty row (Django's __prefix__) and counts it in
 * TOTAL_FORMS, so the office can enter as many target lines as it needs without a reload.
 *
 *  [data-formset]               the box holding the management form and the rows
 *  [data-formset-rows]          where rows go
 *  template[data-formset-empty] formset.empty_form rendered with __prefix__
 *  [data-formset-add]           the button
 */
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("[data-formset]"), function (box) {
    var rows = box.querySelector("[data-formset-rows]");
    var template = box.querySelector("template[data-formset-empty]");
    var total = box.querySelector('input[name$="-TOTAL_FORMS"]');
    var max = box.querySelector('input[name$="-MAX_NUM_FORMS"]');
    var button = box.querySelector("[data-formset-add]");
    if (!rows || !template || !total || !button) return;

    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      if (max && index >= parseInt(max.value, 10)) return;
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      if (window.App && window.App.decorate) window.App.decorate(rows);
      var first = row.querySelector("select, input:not([type=hidden])");
      if (first) first.focus();
    });
  });
})();
