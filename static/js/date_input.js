/* 日期输入: a date reads 2026-12-02 (年-月-日) whatever language the browser speaks.
 *
 *  input[data-date-input]  (core.widgets.DateInput) a text box with the pattern YYYY-MM-DD; this
 *                          script adds a 选择日期 button with a small Chinese calendar beside it,
 *                          turns 2026/12/2, 2026.12.2, 2026年12月2日 and 20261202 into 2026-12-02 when
 *                          the box is left, and says in Chinese what is wrong with anything else.
 *  input[type=date]        (a template or form that still asks for the browser's control) becomes
 *                          the same text box first, so no page shows 12/02/2026 or "mm/dd/yyyy".
 *  window.DateInput.enhance(root)   for controls added to the page later.
 *
 * The input keeps its name and value; the picker writes the value and fires input and change, so
 * other scripts (default deadlines, level switches) see it as typed.
 */
(function () {
  "use strict";

  var WEEKDAYS = ["一", "二", "三", "四", "五", "六", "日"];
  var HINT = "请按 年-月-日 填写日期，如 2026-12-02";
  var open = null; // the calendar currently shown

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function iso(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }

  // "2026-12-02", "2026/12/2", "2026.12.2", "2026年12月2日", "20261202" → a Date, or null.
  function parse(text) {
    var s = (text || "").trim();
    var m = s.match(/^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/) || s.match(/^(\d{4})(\d{2})(\d{2})$/);
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3];
    var date = new Date(y, mo - 1, d);
    if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
    return date;
  }

  function fire(input) {
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function normalise(input) {
    var s = input.value.trim();
    if (!s) { input.setCustomValidity(""); return; }
    var d = parse(s);
    if (d) {
      if (input.value !== iso(d)) { input.value = iso(d); fire(input); }
      input.setCustomValidity("");
    } else {
      input.setCustomValidity(HINT);
    }
  }

  function close() {
    if (!open) return;
    open.box.remove();
    open.button.setAttribute("aria-expanded", "false");
    open = null;
  }

  function show(input, button) {
    if (open && open.input === input) { close(); return; }
    close();
    var chosen = parse(input.value);
    var today = new Date();
    var month = new Date((chosen || today).getFullYear(), (chosen || today).getMonth(), 1);

    var box = document.createElement("div");
    box.className = "date-pick-calendar shadow";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", "选择日期");

    function draw() {
      box.textContent = "";
      var head = document.createElement("div");
      head.className = "date-pick-head";
      var prev = document.createElement("button");
      prev.type = "button";
      prev.className = "btn btn-sm btn-link";
      prev.setAttribute("aria-label", "上个月");
      prev.textContent = "‹";
      var next = prev.cloneNode(false);
      next.setAttribute("aria-label", "下个月");
      next.textContent = "›";
      var title = document.createElement("span");
      title.className = "date-pick-title";
      title.textContent = month.getFullYear() + "年" + (month.getMonth() + 1) + "月";
      prev.addEventListener("click", function () { month.setMonth(month.getMonth() - 1); draw(); box.querySelector("[aria-label='上个月']").focus(); });
      next.addEventListener("click", function () { month.setMonth(month.getMonth() + 1); draw(); box.querySelector("[aria-label='下个月']").focus(); });
      head.appendChild(prev);
      head.appendChild(title);
      head.appendChild(next);
      box.appendChild(head);

      var grid = document.createElement("div");
      grid.className = "date-pick-grid";
      WEEKDAYS.forEach(function (w) {
        var c = document.createElement("span");
        c.className = "date-pick-weekday";
        c.textContent = w;
        grid.appendChild(c);
      });
      var lead = (month.getDay() + 6) % 7; // weeks start on Monday (星期一)
      for (var i = 0; i < lead; i++) grid.appendChild(document.createElement("span"));
      var days = new Date(month.getFullYear(), month.getMonth() + 1, 0).getDate();
      for (var d = 1; d <= days; d++) {
        var day = new Date(month.getFullYear(), month.getMonth(), d);
        var b = document.createElement("button");
        b.type = "button";
        b.className = "date-pick-day";
        b.textContent = d;
        b.setAttribute("data-date", iso(day));
        b.setAttribute("aria-label", day.getFullYear() + "年" + (day.getMonth() + 1) + "月" + d + "日");
        if (iso(day) === iso(today)) b.classList.add("is-today");
        if (chosen && iso(day) === iso(chosen)) { b.classList.add("is-chosen"); b.setAttribute("aria-pressed", "true"); }
        grid.appendChild(b);
      }
      box.appendChild(grid);

      var foot = document.createElement("div");
      foot.className = "date-pick-foot";
      var todayButton = document.createElement("button");
      todayButton.type = "button";
      todayButton.className = "btn btn-sm btn-outline-secondary";
      todayButton.textContent = "今天";
      todayButton.setAttribute("data-date", iso(today));
      var clear = document.createElement("button");
      clear.type = "button";
      clear.className = "btn btn-sm btn-link";
      clear.textContent = "清除";
      clear.setAttribute("data-date", "");
      foot.appendChild(todayButton);
      foot.appendChild(clear);
      box.appendChild(foot);
    }

    box.addEventListener("click", function (event) {
      var target = event.target.closest("[data-date]");
      if (!target) return;
      input.value = target.getAttribute("data-date");
      input.setCustomValidity("");
      fire(input);
      close();
      input.focus();
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { close(); button.focus(); }
    });

    draw();
    button.closest(".date-pick").appendChild(box);
    button.setAttribute("aria-expanded", "true");
    open = { input: input, button: button, box: box };
    var focus = box.querySelector(".is-chosen") || box.querySelector(".is-today") || box.querySelector(".date-pick-day");
    if (focus) focus.focus();
  }

  var seq = 0;

  function enhanceOne(input) {
    if (input.dataset.datePick) return;
    input.dataset.datePick = "1";
    if ((input.getAttribute("type") || "").toLowerCase() === "date") {
      input.setAttribute("type", "text");
      input.setAttribute("data-date-input", "");
      if (!input.hasAttribute("inputmode")) input.setAttribute("inputmode", "numeric");
      if (!input.hasAttribute("pattern")) input.setAttribute("pattern", "\\d{4}-\\d{1,2}-\\d{1,2}");
      if (!input.hasAttribute("placeholder")) input.setAttribute("placeholder", "年-月-日");
      if (!input.hasAttribute("title")) input.setAttribute("title", "日期，按 年-月-日 填写，如 2026-12-02");
      input.setAttribute("autocomplete", "off");
      input.setAttribute("maxlength", "10");
    }
    if (!input.id) input.id = "date-input-" + (++seq);

    var wrap = document.createElement("div");
    wrap.className = "date-pick";
    var group = document.createElement("div");
    group.className = "input-group flex-nowrap";
    if (input.classList.contains("form-control-sm")) group.classList.add("input-group-sm");
    if (input.classList.contains("w-auto")) wrap.classList.add("w-auto");
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(group);
    group.appendChild(input);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary date-pick-button";
    button.setAttribute("aria-label", "选择日期");
    button.setAttribute("title", "选择日期");
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", input.id);
    button.innerHTML = '<i class="bi bi-calendar3" aria-hidden="true"></i>';
    if (input.disabled || input.readOnly) button.disabled = true;
    group.appendChild(button);

    button.addEventListener("click", function () { show(input, button); });
    input.addEventListener("blur", function () { normalise(input); });
    input.addEventListener("input", function () { input.setCustomValidity(""); });
    input.addEventListener("invalid", function () {
      if (input.validity.patternMismatch || input.validity.customError) input.setCustomValidity(HINT);
      else if (input.validity.valueMissing) input.setCustomValidity("请填写日期（年-月-日）。");
    });
  }

  function enhance(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("input[data-date-input], input[type=date]"), enhanceOne);
  }

  document.addEventListener("click", function (event) {
    if (open && !open.box.contains(event.target) && !open.button.contains(event.target)) close();
  });
  document.addEventListener("keydown", function (event) {
    if (open && event.key === "Escape") { var b = open.button; close(); b.focus(); }
  });

  enhance(document);
  window.DateInput = { enhance: enhance, parse: parse };
})();
