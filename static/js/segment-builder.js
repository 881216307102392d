// Stagewise: the segment builder. The tree lives in a hidden input (what the form saves); this script draws it as
// nested groups of conditions, keeps the input current, and asks the server for the live count and the first
// members after every change (debounced). Every text comes from the page (data-catalog), in its language.
(function () {
  "use strict";

  var root = document.getElementById("segment-builder");
  if (!root) return;
  var catalog = JSON.parse(root.getAttribute("data-catalog"));
  var T = catalog.texts;
  var input = document.getElementById(root.getAttribute("data-tree-input"));
  var countEl = document.getElementById(root.getAttribute("data-count"));
  var errorEl = document.getElementById("segment-count-error");
  var previewEl = document.getElementById(root.getAttribute("data-preview"));
  var segmentId = root.getAttribute("data-segment-id");
  var fields = {};
  catalog.fields.forEach(function (f) { fields[f.key] = f; });

  var tree;
  try { tree = JSON.parse(input.value); } catch (e) { tree = null; }
  if (!tree || tree.type !== "group") tree = { type: "group", op: "and", negate: false, children: [] };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function option(value, label, selected) {
    var o = new Option(label, value);
    if (selected) o.selected = true;
    return o;
  }

  // Values -------------------------------------------------------------------------------------------------------

  function defaultValue(field, op) {
    if (op === "empty" || op === "not_empty") return null;
    var kind = field.kind;
    function one() {
      if (kind === "date" || kind === "datetime") return { days: 0 };
      if (kind === "bool") return true;
      if (kind === "choice") return field.choices.length ? field.choices[0][0] : "";
      if (kind === "text") return "";
      if (kind === "days") return 30;
      var refs = references(field);
      if (refs) return refs.length ? refs[0][0] : null;
      return 0;
    }
    if (op === "between") return [one(), one()];
    if (op === "in") return kind === "choice" ? [one()] : [];
    return one();
  }

  function references(field) {
    if (field.key === "course_ids" || field.kind === "course") return catalog.references.course;
    if (field.key === "cohort_ids") return catalog.references.cohort;
    if (field.kind === "campaign") return catalog.references.campaign;
    if (field.kind === "segment") return catalog.references.segment;
    return null;
  }

  function newCondition() {
    var field = catalog.fields[0];
    return { type: "condition", field: field.key, op: field.ops[0], value: defaultValue(field, field.ops[0]), negate: false };
  }

  // Inputs for one value, by the field's kind. `set` stores the new value and refreshes the count (no redraw,
  // so the focus stays where the marketer types).
  function valueInput(field, value, set, label) {
    var kind = field.kind, refs = references(field);
    if (refs) {
      var select = el("select", { "aria-label": label });
      select.appendChild(option("", T.pick, value === null));
      refs.forEach(function (r) { select.appendChild(option(String(r[0]), r[1], r[0] === value)); });
      select.addEventListener("change", function () { set(select.value ? Number(select.value) : null); });
      return select;
    }
    if (kind === "bool") {
      var yesNo = el("select", { "aria-label": label });
      yesNo.appendChild(option("true", T.yes, value === true));
      yesNo.appendChild(option("false", T.no, value === false));
      yesNo.addEventListener("change", function () { set(yesNo.value === "true"); });
      return yesNo;
    }
    if (kind === "choice") {
      var choice = el("select", { "aria-label": label });
      field.choices.forEach(function (c) { choice.appendChild(option(c[0], c[1], c[0] === value)); });
      choice.addEventListener("change", function () { set(choice.value); });
      return choice;
    }
    if (kind === "date" || kind === "datetime") return dateInput(value, set, label);
    var box = el("input", { type: kind === "text" ? "text" : "number", "aria-label": label });
    if (kind === "number" || kind === "days") box.step = "1";
    if (kind === "decimal") box.step = "any";
    box.value = value === null || value === undefined ? "" : String(value);
    box.addEventListener("input", function () {
      if (kind === "text") return set(box.value);
      set(box.value === "" ? null : Number(box.value));
    });
    return box;
  }

  // A date: on a day, N days ago, today, or in N days.
  function dateInput(value, set, label) {
    var wrap = el("span", { className: "seg-date" });
    var mode = el("select", { "aria-label": label });
    var modes = [["date", T.on_date], ["ago", T.days_ago], ["today", T.today], ["ahead", T.days_from_now]];
    var current = typeof value === "string" ? "date" : !value || value.days === 0 ? "today" : value.days < 0 ? "ago" : "ahead";
    modes.forEach(function (m) { mode.appendChild(option(m[0], m[1], m[0] === current)); });
    var day = el("input", { type: "date", "aria-label": label });
    var days = el("input", { type: "number", min: "1", step: "1", "aria-label": label });
    function show() {
      day.hidden = mode.value !== "date";
      days.hidden = mode.value !== "ago" && mode.value !== "ahead";
    }
    if (current === "date") day.value = value;
    if (current === "ago" || current === "ahead") days.value = String(Math.abs(value.days));
    function update() {
      show();
      if (mode.value === "date") return set(day.value || null);
      if (mode.value === "today") return set({ days: 0 });
      var n = days.value === "" ? 1 : Math.abs(Math.round(Number(days.value)));
      if (days.value === "") days.value = "1";
      set({ days: mode.value === "ago" ? -n : n });
    }
    mode.addEventListener("change", update);
    day.addEventListener("input", update);
    days.addEventListener("input", update);
    show();
    [days, mode, day].forEach(function (node) { wrap.appendChild(node); });
    return wrap;
  }

  function valueEditor(cond, field) {
    var op = cond.op;
    function set(v) { cond.value = v; changed(false); }
    if (op === "empty" || op === "not_empty") return null;
    if (op === "between") {
      if (!Array.isArray(cond.value) || cond.value.length !== 2) cond.value = defaultValue(field, op);
      return el("span", { className: "seg-between" }, [
        valueInput(field, cond.value[0], function (v) { cond.value[0] = v; changed(false); }, field.label),
        el("span", { className: "muted", text: T.and_between }),
        valueInput(field, cond.value[1], function (v) { cond.value[1] = v; changed(false); }, field.label)
      ]);
    }
    if (op === "in" && field.kind === "choice") {
      var list = el("span", { className: "seg-choices" });
      var chosen = Array.isArray(cond.value) ? cond.value : [];
      field.choices.forEach(function (c) {
        var box = el("input", { type: "checkbox", value: c[0] });
        box.checked = chosen.indexOf(c[0]) !== -1;
        box.addEventListener("change", function () {
          cond.value = Array.prototype.filter.call(list.querySelectorAll("input:checked"), function () { return true; })
            .map(function (b) { return b.value; });
          changed(false);
        });
        list.appendChild(el("label", {}, [box, document.createTextNode(" " + c[1])]));
      });
      return list;
    }
    if (op === "in" || (op === "contains" && field.kind === "ids" && Array.isArray(cond.value))) {
      var text = el("input", { type: "text", placeholder: T.comma_separated, "aria-label": field.label });
      text.value = (cond.value || []).join(", ");
      text.addEventListener("input", function () {
        var parts = text.value.split(/[,，]/).map(function (s) { return s.trim(); }).filter(Boolean);
        cond.value = field.kind === "text" ? parts : parts.map(Number);
        changed(false);
      });
      return text;
    }
    return valueInput(field, cond.value, set, field.label);
  }

  // Drawing ------------------------------------------------------------------------------------------------------

  function notToggle(node) {
    var box = el("input", { type: "checkbox", "data-testid": "seg-not" });
    box.checked = !!node.negate;
    box.addEventListener("change", function () { node.negate = box.checked; changed(true); });
    return el("label", { className: "seg-not" }, [box, document.createTextNode(" " + T.not)]);
  }

  function removeButton(parent, index) {
    var button = el("button", { type: "button", className: "btn btn-small btn-danger seg-remove", "aria-label": T.remove, title: T.remove, text: "×" });
    button.addEventListener("click", function () { parent.children.splice(index, 1); changed(true); });
    return button;
  }

  function drawCondition(cond, path, parent, index) {
    var field = fields[cond.field] || catalog.fields[0];
    var fieldSelect = el("select", { "aria-label": T.pick, "data-testid": "seg-field" });
    var groups = { facts: el("optgroup", { label: T.facts }), events: el("optgroup", { label: T.events }) };
    catalog.fields.forEach(function (f) {
      (f.event ? groups.events : groups.facts).appendChild(option(f.key, f.label, f.key === cond.field));
    });
    fieldSelect.appendChild(groups.facts);
    fieldSelect.appendChild(groups.events);
    fieldSelect.addEventListener("change", function () {
      var f = fields[fieldSelect.value];
      cond.field = f.key;
      cond.op = f.ops[0];
      cond.value = defaultValue(f, cond.op);
      delete cond.ended_between;
      changed(true);
    });
    var opSelect = el("select", { "aria-label": T.pick, "data-testid": "seg-op" });
    field.ops.forEach(function (op) { opSelect.appendChild(option(op, catalog.operators[op], op === cond.op)); });
    opSelect.addEventListener("change", function () {
      cond.op = opSelect.value;
      cond.value = defaultValue(field, cond.op);
      changed(true);
    });
    var row = el("div", { className: "seg-cond-edit", "data-path": path, "data-testid": "seg-condition" }, [
      el("div", { className: "seg-cond-line" }, [fieldSelect, opSelect, valueEditor(cond, field)]),
      field.help ? el("p", { className: "help", text: field.help }) : null
    ]);
    if (field.key === "completed_course") row.appendChild(sameEnrollment(cond));
    row.appendChild(el("div", { className: "seg-cond-tools" }, [notToggle(cond), removeButton(parent, index)]));
    return row;
  }

  // "Completed course X" can carry its own dates: then it is one enrollment that completed X and ended then.
  function sameEnrollment(cond) {
    var box = el("input", { type: "checkbox" });
    box.checked = !!cond.ended_between;
    box.addEventListener("change", function () {
      if (box.checked) cond.ended_between = [{ days: -30 }, { days: 0 }];
      else delete cond.ended_between;
      changed(true);
    });
    var wrap = el("div", { className: "seg-same" }, [el("label", {}, [box, document.createTextNode(" " + T.same_enrollment)])]);
    if (cond.ended_between) {
      var dateField = { kind: "date", label: T.same_enrollment, choices: [] };
      wrap.appendChild(el("span", { className: "seg-between" }, [
        dateInput(cond.ended_between[0], function (v) { cond.ended_between[0] = v; changed(false); }, T.same_enrollment),
        el("span", { className: "muted", text: T.and_between }),
        dateInput(cond.ended_between[1], function (v) { cond.ended_between[1] = v; changed(false); }, dateField.label)
      ]));
    }
    return wrap;
  }

  function drawGroup(group, path, parent, index, depth) {
    var toggle = el("div", { className: "seg-andor", role: "group" });
    ["and", "or"].forEach(function (op) {
      var button = el("button", { type: "button", className: "seg-andor-btn", "aria-pressed": String(group.op === op), "data-testid": "seg-" + op, text: T[op] });
      button.addEventListener("click", function () { group.op = op; changed(true); });
      toggle.appendChild(button);
    });
    var addCondition = el("button", { type: "button", className: "btn btn-small btn-secondary", "data-testid": "seg-add-condition", text: T.add_condition });
    addCondition.addEventListener("click", function () { group.children.push(newCondition()); changed(true); });
    var tools = [addCondition];
    if (depth < 5) {
      var addGroup = el("button", { type: "button", className: "btn btn-small btn-secondary", "data-testid": "seg-add-group", text: T.add_group });
      addGroup.addEventListener("click", function () {
        group.children.push({ type: "group", op: group.op === "and" ? "or" : "and", negate: false, children: [newCondition()] });
        changed(true);
      });
      tools.push(addGroup);
    }
    var head = el("div", { className: "seg-group-head" }, [toggle, notToggle(group), parent ? removeButton(parent, index) : null]);
    var list = el("ol", { className: "seg-children" });
    group.children.forEach(function (child, i) {
      var childPath = (path ? path + "." : "") + "children." + i;
      list.appendChild(el("li", {}, [
        child.type === "group" ? drawGroup(child, childPath, group, i, depth + 1) : drawCondition(child, childPath, group, i)
      ]));
    });
    var box = el("div", { className: "seg-group" + (depth > 1 ? " seg-nested" : ""), "data-path": path, "data-testid": "seg-group" }, [head]);
    if (group.children.length) box.appendChild(list);
    else box.appendChild(el("p", { className: "small muted", text: T.empty_group }));
    box.appendChild(el("div", { className: "seg-group-tools" }, tools));
    return box;
  }

  function draw() {
    root.textContent = "";
    root.appendChild(drawGroup(tree, "", null, 0, 1));
    markError(root.getAttribute("data-error-path"));
  }

  function markError(path) {
    root.querySelectorAll(".has-error").forEach(function (node) { node.classList.remove("has-error"); });
    if (path === null || path === undefined) return;
    // The deepest drawn node the path falls in: "children.1.value" is the condition at "children.1".
    var best = null;
    root.querySelectorAll("[data-path]").forEach(function (node) {
      var p = node.getAttribute("data-path");
      if ((p === "" || path === p || path.indexOf(p + ".") === 0) && (!best || p.length >= best.getAttribute("data-path").length)) best = node;
    });
    if (best && path !== "") best.classList.add("has-error");
  }

  // The live count -----------------------------------------------------------------------------------------------

  var timer = null, seq = 0;
  function changed(redraw) {
    input.value = JSON.stringify(tree);
    if (redraw) draw();
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function refresh() {
    var mine = ++seq;
    countEl.setAttribute("aria-busy", "true");
    var body = { tree: tree };
    if (segmentId) body.segment_id = Number(segmentId);
    fetch(root.getAttribute("data-preview-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (answer) {
        if (mine !== seq) return;  // a newer change is on its way
        countEl.removeAttribute("aria-busy");
        if (!answer.ok) {
          errorEl.textContent = answer.data.message || T.failed;
          errorEl.hidden = false;
          countEl.classList.add("is-stale");
          markError(answer.data.details && answer.data.details.path);
          return;
        }
        errorEl.hidden = true;
        countEl.classList.remove("is-stale");
        markError(null);
        showPreview(answer.data);
      })
      .catch(function () {
        if (mine !== seq) return;
        errorEl.textContent = T.failed;
        errorEl.hidden = false;
      });
  }

  function money(minor, currency) {
    try {
      var format = new Intl.NumberFormat(document.documentElement.lang || "en", { style: "currency", currency: currency });
      return format.format(minor / Math.pow(10, format.resolvedOptions().maximumFractionDigits));
    } catch (e) {
      return minor + " " + currency;
    }
  }

  function showPreview(data) {
    countEl.textContent = data.count === 1 ? T.one_match : T.match.replace("%(count)s", data.count.toLocaleString());
    countEl.setAttribute("data-value", String(data.count));
    previewEl.textContent = "";
    if (!data.members.length) {
      previewEl.appendChild(el("li", { className: "muted", text: T.no_members }));
      return;
    }
    data.members.forEach(function (m) {
      var facts = [];
      if (m.highest_stage_completed !== null) facts.push(T.stage + " " + m.highest_stage_completed);
      if (m.total_paid_minor && m.currency) facts.push(T.paid + " " + money(m.total_paid_minor, m.currency));
      facts.push(T.last_active + " " + (m.last_active_at ? m.last_active_at.slice(0, 10) : T.never));
      previewEl.appendChild(el("li", { "data-testid": "segment-preview-row" }, [
        el("div", { className: "grow" }, [
          el("div", { className: "title", text: m.name }),
          el("div", { className: "small muted seg-email", text: m.email }),
          el("div", { className: "small muted", text: facts.join(" · ") })
        ])
      ]));
    });
  }

  draw();
  changed(false);
})();
