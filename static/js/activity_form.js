/* 登记/修改活动 form.
 *
 * - 子类型 offers only the sub-types of the chosen 活动类型 (each option carries data-type);
 * - the 约谈 fields ([data-talk-field]) show only when a 约谈 sub-type (data-talk) is chosen;
 * - 数量: "增加一行" copies the formset's empty row (Django's __prefix__) and counts it in TOTAL_FORMS.
 * Without JavaScript every field shows and the server checks the same rules.
 */
(function () {
  "use strict";

  var form = document.getElementById("activity-form");
  if (!form) return;

  var type = form.querySelector('select[name="type"]');
  var subtype = form.querySelector('select[name="subtype"]');

  function fieldBox(el) {
    return el.closest(".form-field") || el.parentElement;
  }

  function syncTalk() {
    var option = subtype && subtype.options[subtype.selectedIndex];
    var talk = !!(option && option.getAttribute("data-talk"));
    Array.prototype.forEach.call(form.querySelectorAll("[data-talk-field]"), function (el) {
      fieldBox(el).hidden = !talk;
    });
  }

  function syncSubtypes() {
    if (!type || !subtype) return;
    var chosen = type.value;
    Array.prototype.forEach.call(subtype.options, function (option) {
      var kind = option.getAttribute("data-type");
      var show = !kind || kind === chosen;
      option.hidden = !show;
      option.disabled = !show;
      if (!show && option.selected) subtype.value = "";
    });
    syncTalk();
  }

  if (type) type.addEventListener("change", syncSubtypes);
  if (subtype) subtype.addEventListener("change", syncTalk);
  syncSubtypes();

  Array.prototype.forEach.call(form.querySelectorAll("[data-formset]"), function (box) {
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
