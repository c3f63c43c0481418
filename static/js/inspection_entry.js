/* 录入检查 — small helpers for the entry steps; every step also works without this file.
 *
 *  form[data-entry-search]   step 2: as the user types, asks data-url?q=… (JSON, at most 20
 *                            enterprises in the user's scope) and lists them in [data-entry-results]
 *                            with 添加 buttons that post the page's form#entry-form, exactly like the
 *                            no-JS search (a GET of the same page). Offline, the form submits normally.
 *  form[data-entry-basics]   step 1: a name filter box over the team-member chips; changing 检查单位
 *                            saves the step so the chips follow that unit; the 带队领导 fields
 *                            only while 领导带队 is ticked.
 *  input[data-default-general][data-default-major]
 *                            step 4 (hazards' 不符合 lines): a deadline still at one level's default
 *                            follows the level select to the other level's default.
 */
(function () {
  "use strict";

  // ---------- step 2: enterprise search ----------

  function chosenIds() {
    var ids = {};
    document.querySelectorAll("#entry-chosen button[name=remove]").forEach(function (b) {
      ids[b.value] = true;
    });
    return ids;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderResults(box, results, query) {
    box.textContent = "";
    if (!query) return;
    var chosen = chosenIds();
    var shown = results.filter(function (r) { return !chosen[String(r.id)]; });
    if (!shown.length) {
      var empty = results.length ? "符合条件的单位都已选择。" : "没有找到符合条件的单位。";
      box.appendChild(el("p", "text-body-secondary mb-0", empty));
      return;
    }
    shown.forEach(function (r) {
      var row = el("div", "entry-result");
      var text = el("div");
      text.appendChild(el("div", "fw-semibold", r.name));
      var meta = el("div", "small text-body-secondary");
      meta.appendChild(el("span", "font-monospace", r.uscc));
      meta.appendChild(document.createTextNode(" · " + r.township));
      text.appendChild(meta);
      var button = el("button", "btn btn-primary");
      button.type = "submit";
      button.name = "add";
      button.value = String(r.id);
      button.setAttribute("form", "entry-form");
      var icon = el("i", "bi bi-plus-lg");
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      button.appendChild(document.createTextNode(" 添加"));
      row.appendChild(text);
      row.appendChild(button);
      box.appendChild(row);
    });
  }

  function setupSearch(form) {
    var input = form.querySelector("input[name=q]");
    var box = document.querySelector("[data-entry-results]");
    var hiddenQ = document.querySelector("#entry-form input[name=q]");
    if (!input || !box || !window.fetch) return;
    var timer = null;
    var latest = 0;

    function search(fallback) {
      var query = input.value.trim();
      if (hiddenQ) hiddenQ.value = query;
      var ticket = ++latest;
      if (!query) {
        renderResults(box, [], "");
        return;
      }
      var url = form.getAttribute("data-url") + "?q=" + encodeURIComponent(query);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (ticket === latest) renderResults(box, data.results || [], query);
        })
        .catch(function () {
          if (fallback) form.submit(); // the page's own GET search still works
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { search(false); }, 250);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      search(true);
    });
  }

  // ---------- step 1: team members and leader fields ----------

  function setupMemberFilter(form) {
    var list = form.querySelector("#id_members");
    if (!list) return;
    var options = Array.prototype.slice.call(list.children);
    if (!options.length) return;
    var filter = el("input", "form-control form-control-sm entry-member-filter");
    filter.type = "search";
    filter.placeholder = "输入姓名筛选人员";
    filter.setAttribute("aria-label", "筛选检查人员");
    list.parentNode.insertBefore(filter, list);
    filter.addEventListener("input", function () {
      var q = filter.value.trim();
      options.forEach(function (option) {
        var ticked = option.querySelector("input:checked");
        option.hidden = Boolean(q) && !ticked && option.textContent.indexOf(q) === -1;
      });
    });
  }

  // The chips are the chosen unit's staff (certified ones for an enforcement kind): choosing another
  // unit saves step 1 (保存) so the server lists that unit's people.
  function setupTeamRefresh(form) {
    var save = form.querySelector("button[name=goto][value='1']");
    if (!save) return;
    ["id_organizer"].forEach(function (id) {
      var select = document.getElementById(id);
      if (!select || select.disabled) return;
      select.addEventListener("change", function () { save.click(); });
    });
  }

  function setupLeaderFields(form) {
    var box = form.querySelector("#id_is_leader_led");
    if (!box) return;
    var fields = ["id_leader_name", "id_leader_level"]
      .map(function (id) { var f = document.getElementById(id); return f && f.closest(".form-field"); })
      .filter(Boolean);
    function sync() {
      fields.forEach(function (f) {
        var hasError = f.classList.contains("is-invalid-field");
        f.hidden = !box.checked && !hasError;
      });
    }
    box.addEventListener("change", sync);
    sync();
  }

  document.querySelectorAll("input[data-default-general][data-default-major]").forEach(function (input) {
    var line = input.closest("[data-major-toggle]");
    var level = line && line.querySelector("select[name$='-level']");
    if (!level) return;
    level.addEventListener("change", function () {
      var general = input.getAttribute("data-default-general");
      var major = input.getAttribute("data-default-major");
      if (input.value === general || input.value === major || !input.value) {
        input.value = level.value === "major" ? major : general;
      }
    });
  });

  document.querySelectorAll("form[data-entry-search]").forEach(setupSearch);
  document.querySelectorAll("form[data-entry-basics]").forEach(function (form) {
    setupMemberFilter(form);
    setupTeamRefresh(form);
    setupLeaderFields(form);
  });
})();
