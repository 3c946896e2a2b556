/* The trainers' workbench (bot/trainers/workbench/): review, test conversations and training examples,
 * test runs, the dashboard and the guides' state. Plain JavaScript, no library; every text from the
 * server is set as text, never as HTML. Every change is a JSON POST with the session's CSRF token. */
(function () {
  "use strict";

  var state = { csrf: null, writable: false, choices: null, run: null };
  var KIND_NAMES = {
    routing: "Zuständigkeit", fact: "Sachauskunft", clarify: "Rückfrage",
    not_covered: "nicht geregelt", out_of_scope: "außerhalb"
  };
  var MARK_NAMES = { down: "👎", unanswered: "unbeantwortet", circles: "Rückfrage im Kreis", did_you_mean: "„Meinten Sie“" };

  // --- helpers ---------------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key === "onclick") node.addEventListener("click", value);
      else if (key === "onsubmit") node.addEventListener("submit", value);
      else if (key === "onchange") node.addEventListener("change", value);
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function when(iso) {
    var d = new Date(iso);
    return d.toLocaleDateString("de-DE") + ", " + d.toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit" });
  }

  function api(method, path, body) {
    var headers = {};
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRF-Token"] = state.csrf || "";
    }
    return fetch("/trainer/api/" + path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (res) {
      if (res.status === 401) { window.location.assign("/trainer/signin"); }
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { ok: res.ok, status: res.status, data: data };
      });
    }, function () {
      return { ok: false, status: 0, data: { error: "Der Server ist nicht erreichbar." } };
    });
  }

  function option(value, label, selected) {
    return el("option", { value: value, selected: selected ? true : null, text: label });
  }

  var ids = 0;
  function uid(prefix) { ids += 1; return prefix + "-" + ids; }

  function labelled(labelText, control) {
    control.id = control.id || uid("c");
    return el("div", { className: "wb-field" }, [el("label", { "for": control.id, text: labelText }), control]);
  }

  function download(name, content) {
    var url = URL.createObjectURL(new Blob([content], { type: "application/x-yaml;charset=utf-8" }));
    var link = el("a", { href: url, download: name });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function diffView(diff) {
    var pre = el("pre", { className: "wb-diff", tabindex: "0", "aria-label": "YAML-Diff" });
    diff.split("\n").forEach(function (line) {
      var cls = line.charAt(0) === "+" && line.indexOf("+++") !== 0 ? "wb-add"
        : line.charAt(0) === "-" && line.indexOf("---") !== 0 ? "wb-del" : "";
      pre.appendChild(el("span", { className: cls, text: line + "\n" }));
    });
    return pre;
  }

  // --- sections --------------------------------------------------------------------------------

  var SECTIONS = { gespraeche: "review", tests: "tests", uebersicht: "dashboard", leitfaeden: "guides" };
  var loaded = {};

  function show() {
    var hash = window.location.hash.replace("#", "") || "gespraeche";
    var id = SECTIONS[hash] || "review";
    Object.keys(SECTIONS).forEach(function (key) {
      var section = document.getElementById(SECTIONS[key]);
      section.hidden = SECTIONS[key] !== id;
    });
    document.querySelectorAll("nav a[data-section]").forEach(function (link) {
      if (link.getAttribute("data-section") === id) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    if (!loaded[id]) {
      loaded[id] = true;
      ({ review: loadConversations, tests: loadLastRun, dashboard: loadDashboard, guides: loadGuides })[id]();
    }
  }

  // --- review ----------------------------------------------------------------------------------

  function fillSelect(select, values, label) {
    var current = select.value;
    clear(select).appendChild(option("", "alle"));
    values.forEach(function (v) { select.appendChild(option(v, label ? label(v) : v, v === current)); });
  }

  function loadConversations() {
    var form = document.getElementById("review-filters");
    var params = new URLSearchParams();
    params.set("days", form.elements.days.value);
    var marks = Array.prototype.filter.call(form.querySelectorAll("input[name=filter]"), function (b) { return b.checked; })
      .map(function (b) { return b.value; });
    if (marks.length) params.set("filter", marks.join(","));
    ["topic", "lang", "version"].forEach(function (key) { if (form.elements[key].value) params.set(key, form.elements[key].value); });
    var status = document.getElementById("review-status");
    status.textContent = "Wird geladen …";
    return api("GET", "conversations?" + params.toString()).then(function (res) {
      var list = clear(document.getElementById("review-list"));
      if (!res.ok) { status.textContent = res.data.error || "Laden ging nicht."; return; }
      var data = res.data;
      fillSelect(form.elements.topic, data.facets.topic);
      fillSelect(form.elements.lang, data.facets.lang);
      fillSelect(form.elements.version, data.facets.version);
      status.textContent = data.count === 1 ? "1 Gespräch" : data.count + " Gespräche";
      data.conversations.forEach(function (conversation) { list.appendChild(conversationItem(conversation)); });
    });
  }

  function conversationItem(conversation) {
    var heading = el("h2", { text: "Gespräch vom " + when(conversation.turns[0].at) });
    var marks = el("ul", { className: "wb-marks", "aria-label": "Merkmale" },
      conversation.marks.map(function (m) { return el("li", { className: "wb-mark wb-mark--" + m, text: MARK_NAMES[m] }); }));
    var turns = el("ol", { className: "wb-turns" });
    conversation.turns.forEach(function (turn) { turns.appendChild(turnItem(conversation, turn)); });
    return el("li", { className: "wb-conversation" }, [heading, conversation.marks.length ? marks : null, turns]);
  }

  function meta(label, value) {
    return el("div", {}, [el("dt", { text: label }), el("dd", { text: value === null || value === undefined ? "–" : String(value) })]);
  }

  function turnItem(conversation, turn) {
    var item = el("li", { className: "wb-turn" });
    var asked = turn.click ? "Klick: " + turn.click : turn.text;
    item.appendChild(el("p", { className: "wb-question" }, [el("span", { className: "wb-who", text: "Frage " + turn.number + ": " }), asked]));
    item.appendChild(el("p", { className: "wb-reply", text: turn.reply }));
    item.appendChild(el("dl", { className: "wb-meta" }, [
      meta("Art", KIND_NAMES[turn.kind] || turn.kind),
      meta("Eintrag", turn.topic), meta("Einheit", turn.unit),
      meta("Sprache", turn.lang), meta("Version", turn.guides_version)
    ]));
    turn.ratings.forEach(function (r) {
      item.appendChild(el("p", { className: r.rating < 0 ? "wb-rating wb-rating--down" : "wb-rating",
        text: (r.rating < 0 ? "👎" : "👍") + (r.comment ? " „" + r.comment + "“" : "") + " (" + when(r.at) + ")" }));
    });
    var actions = el("div", { className: "wb-actions" });
    var panel = el("div", { className: "wb-panel-slot" });
    actions.appendChild(el("button", { type: "button", text: "Als Testgespräch speichern",
      "aria-label": "Gespräch bis Frage " + turn.number + " als Testgespräch speichern",
      onclick: function () { testPanel(panel, conversation, turn); } }));
    if (!turn.click && turn.text.charAt(0) !== "/") {
      actions.appendChild(el("button", { type: "button", text: "Als Trainingsbeispiel",
        "aria-label": "Frage " + turn.number + " als Trainingsbeispiel speichern",
        onclick: function () { examplePanel(panel, turn); } }));
    }
    item.appendChild(actions);
    item.appendChild(panel);
    return item;
  }

  function choices() {
    if (state.choices) return Promise.resolve(state.choices);
    return api("GET", "choices").then(function (res) {
      if (res.ok) state.choices = res.data;
      return state.choices;
    });
  }

  function expectSelects(turn) {
    var c = state.choices;
    var kind = el("select", { name: "kind" }, c.kinds.map(function (k) { return option(k.value, k.label, k.value === turn.kind); }));
    var unit = el("select", { name: "unit" }, [option("", "– nicht prüfen –"), option("null", "keine Einheit", turn.unit === null)]
      .concat(c.units.map(function (u) { return option(u.value, u.value + " – " + u.label, u.value === turn.unit); })));
    var topic = el("select", { name: "topic" }, [option("", "– nicht prüfen –"), option("null", "kein Eintrag", turn.topic === null)]
      .concat(c.topics.map(function (t) { return option(t.value, t.value, t.value === turn.topic); })));
    return { kind: kind, unit: unit, topic: topic };
  }

  function panelFrame(slot, title) {
    var heading = el("h3", { tabindex: "-1", text: title });
    var close = el("button", { type: "button", className: "wb-close", text: "Schließen", onclick: function () { clear(slot); } });
    var box = el("div", { className: "wb-panel", role: "group", "aria-label": title }, [heading, close]);
    clear(slot).appendChild(box);
    setTimeout(function () { heading.focus(); }, 0);
    return box;
  }

  function changeFlow(box, path, body, after) {
    // preview → diff, then save (with the stamp the preview read) or download
    var result = el("div", { className: "wb-result" });
    var message = el("p", { className: "wb-message", role: "status" });
    var problem = el("p", { className: "wb-error", role: "alert" });
    var previewButton = el("button", { type: "button", text: "Vorschau (YAML-Diff)" });
    box.appendChild(previewButton);
    box.appendChild(problem);
    box.appendChild(result);
    box.appendChild(message);
    previewButton.addEventListener("click", function () {
      problem.textContent = ""; message.textContent = "";
      clear(result);
      var sent = body();
      if (!sent) return;
      api("POST", path + "/preview", sent).then(function (res) {
        if (!res.ok) { problem.textContent = res.data.error || "Vorschau ging nicht."; return; }
        var preview = res.data;
        result.appendChild(el("h4", { text: "Änderung an " + preview.path }));
        if (preview.note) result.appendChild(el("p", { text: preview.note }));
        result.appendChild(diffView(preview.diff));
        var buttons = el("div", { className: "wb-actions" });
        var save = el("button", { type: "button", text: "Speichern", disabled: preview.writable ? null : true });
        save.addEventListener("click", function () {
          var again = body();
          again.stamp = preview.stamp;
          save.disabled = true;
          api("POST", path + "/save", again).then(function (saved) {
            if (!saved.ok) { problem.textContent = saved.data.error || "Speichern ging nicht."; save.disabled = false; return; }
            message.textContent = saved.data.message;
            state.choices = null; // the files' stamps changed
            if (after) after(box, preview);
          });
        });
        buttons.appendChild(save);
        buttons.appendChild(el("button", { type: "button", text: "Herunterladen",
          onclick: function () { download(preview.name, preview.content); } }));
        result.appendChild(buttons);
        if (!preview.writable) {
          result.appendChild(el("p", { text: "Lotse läuft nicht aus einem Checkout: Speichern geht hier nicht, Herunterladen immer." }));
        }
      });
    });
  }

  function testPanel(slot, conversation, turn) {
    choices().then(function (c) {
      if (!c) return;
      var box = panelFrame(slot, "Als Testgespräch speichern (Fragen 1–" + turn.number + ")");
      var files = el("select", { name: "file" }, c.files.map(function (f) { return option(f.name, f.name); })
        .concat([option("__new__", "neue Datei …", !c.files.length)]));
      var newName = el("input", { name: "new-file", value: "werkbank.yml", autocomplete: "off" });
      var newField = labelled("Name der neuen Datei (tests/conversations/…)", newName);
      newField.hidden = files.value !== "__new__";
      files.addEventListener("change", function () { newField.hidden = files.value !== "__new__"; });
      var first = conversation.turns[0];
      var name = el("input", { name: "name", autocomplete: "off",
        value: "Rückmeldung vom " + new Date(turn.at).toLocaleDateString("de-DE") + ": " + (first.text || "").slice(0, 60) });
      box.appendChild(labelled("Datei", files));
      box.appendChild(newField);
      box.appendChild(labelled("Name des Gesprächs", name));
      var rows = conversation.turns.slice(0, turn.number).map(function (t) {
        var selects = expectSelects(t);
        box.appendChild(el("fieldset", { className: "wb-expect" }, [
          el("legend", { text: "Frage " + t.number + ": " + (t.click ? "[" + t.click + "]" : t.text) }),
          labelled("Art der Antwort", selects.kind), labelled("Einheit", selects.unit), labelled("Leitfadeneintrag", selects.topic)
        ]));
        return selects;
      });
      changeFlow(box, "tests", function () {
        return {
          conversation: conversation.id, turn: turn.number,
          file: files.value === "__new__" ? newName.value.trim() : files.value,
          name: name.value,
          expect: rows.map(function (s) { return { kind: s.kind.value, unit: s.unit.value, topic: s.topic.value }; })
        };
      }, function (panelBox, preview) {
        var runIt = el("button", { type: "button", text: "Dieses Testgespräch jetzt ausführen",
          onclick: function () { window.location.hash = "tests"; startRun(preview.name); } });
        panelBox.appendChild(runIt);
        runIt.focus();
      });
    });
  }

  function examplePanel(slot, turn) {
    choices().then(function (c) {
      if (!c) return;
      var box = panelFrame(slot, "Als Trainingsbeispiel speichern");
      var intent = el("select", { name: "intent" }, c.intents.map(function (i) { return option(i, i, i === turn.intent); }));
      var text = el("input", { name: "text", value: turn.text, autocomplete: "off" });
      box.appendChild(labelled("Intent", intent));
      box.appendChild(labelled("Beispiel (so, wie es ins Training geht)", text));
      changeFlow(box, "examples", function () { return { intent: intent.value, text: text.value }; });
    });
  }

  // --- test runs -------------------------------------------------------------------------------

  function fillRunFiles() {
    return choices().then(function (c) {
      if (!c) return;
      var select = document.getElementById("run-file");
      var current = select.value;
      clear(select).appendChild(option("", "alle Testgespräche"));
      c.files.forEach(function (f) { select.appendChild(option(f.name, f.name, f.name === current)); });
    });
  }

  function loadLastRun() {
    fillRunFiles();
    api("GET", "runs").then(function (res) {
      if (res.ok && res.data.run) showRun(res.data.run);
    });
  }

  function startRun(file) {
    loaded.tests = true;
    var status = document.getElementById("run-status");
    status.textContent = "Wird gestartet …";
    fillRunFiles().then(function () {
      if (file) document.getElementById("run-file").value = file;
      api("POST", "runs", { file: file || null }).then(function (res) {
        if (!res.ok) {
          status.textContent = res.data.error || "Starten ging nicht.";
          if (res.data.run) poll(res.data.run.id);
          return;
        }
        poll(res.data.run);
      });
    });
  }

  function poll(id) {
    api("GET", "runs/" + id).then(function (res) {
      if (!res.ok) { document.getElementById("run-status").textContent = res.data.error || "Status ging nicht."; return; }
      showRun(res.data.run);
      if (res.data.run.status === "running") setTimeout(function () { poll(id); }, 500);
    });
  }

  function cell(tag, text, cls) { return el(tag, { text: text, className: cls || null }); }

  function table(caption, headers, rows) {
    return el("table", { className: "wb-table" }, [
      el("caption", { text: caption }),
      el("thead", {}, [el("tr", {}, headers.map(function (h) { return el("th", { scope: "col", text: h }); }))]),
      el("tbody", {}, rows)
    ]);
  }

  function showRun(run) {
    var progress = document.getElementById("run-progress");
    var status = document.getElementById("run-status");
    progress.max = Math.max(run.total, 1);
    progress.value = run.done;
    var results = clear(document.getElementById("run-results"));
    if (run.status === "running") {
      status.textContent = "Läuft: " + run.done + " von " + run.total + " Gesprächen (" + run.files.join(", ") + ")";
      return;
    }
    if (run.status === "failed") { status.textContent = "Der Lauf ist abgebrochen: " + run.error; return; }
    var r = run.result;
    status.textContent = "Fertig: " + r.passed + " Züge bestanden, " + r.failed + " fehlgeschlagen.";
    results.appendChild(el("p", { className: r.failed ? "wb-error" : "wb-ok", text: r.summary }));
    results.appendChild(table("Ergebnis pro Zug", ["Gespräch", "Datei", "Zug", "gesagt", "Ergebnis", "erwartet", "gekommen", "Probleme"],
      r.turns.map(function (t) {
        return el("tr", { className: t.passed ? "" : "wb-fail" }, [
          cell("td", t.conversation), cell("td", t.file), cell("td", String(t.number)), cell("td", t.said),
          cell("td", t.passed ? "bestanden" : "FEHLER"), cell("td", t.expected), cell("td", t.got), cell("td", t.problems.join("; "))
        ]);
      })));
    results.appendChild(table("Abdeckung der Leitfäden: " + r.reached + " von " + r.entries + " Einträgen erreicht (nicht erreichte zuerst)",
      ["Eintrag", "Leitfaden-Datei", "Züge", "de", "en"],
      r.coverage.map(function (row) {
        return el("tr", { className: row.turns ? "" : "wb-fail" }, [
          cell("td", row.entry + (row.turns ? "" : " (nicht erreicht)")), cell("td", row.file),
          cell("td", String(row.turns)), cell("td", String(row.de)), cell("td", String(row.en))
        ]);
      })));
    results.appendChild(el("figure", { className: "wb-figure" }, [
      el("img", { src: "/trainer/api/runs/" + run.id + "/confusion.png",
        alt: "Erwartetes gegen beantwortetes Thema: Zeilen erwartet, Spalten beantwortet; rote Felder neben der Diagonale sind Antworten aus einem anderen Eintrag." }),
      el("figcaption", { text: "Themen-Verwechslung (wie var/reports/topic_confusion.png)" })
    ]));
  }

  // --- dashboard -------------------------------------------------------------------------------

  function loadDashboard() {
    var days = document.getElementById("dash-days").value;
    var content = clear(document.getElementById("dash-content"));
    content.appendChild(el("p", { role: "status", text: "Wird geladen …" }));
    api("GET", "dashboard?days=" + days).then(function (res) {
      clear(content);
      if (!res.ok) { content.appendChild(el("p", { className: "wb-error", text: res.data.error || "Laden ging nicht." })); return; }
      var d = res.data;
      var share = d.one_click.share === null ? "–" : Math.round(d.one_click.share * 100) + " %";
      content.appendChild(el("section", { className: "wb-card", "aria-labelledby": "one-click-h" }, [
        el("h2", { id: "one-click-h", text: "Richtig beantwortet mit höchstens einem Klick" }),
        el("p", { className: "wb-big", text: share }),
        el("p", { text: d.one_click.at_once + " sofort, " + d.one_click.after_one_click + " nach einem Klick, von " +
          d.one_click.typed + " getippten Fragen (Antwort aus einem Leitfadeneintrag, ohne 👎)." })
      ]));
      content.appendChild(chartBlock("questions", days, "Fragen pro Tag", ["Tag", "Fragen"],
        d.days.map(function (x) { return [x.day, x.questions]; })));
      content.appendChild(chartBlock("kinds", days, "Antwortarten pro Tag",
        ["Tag"].concat(Object.keys(KIND_NAMES).map(function (k) { return KIND_NAMES[k]; })),
        d.days.map(function (x) { return [x.day].concat(Object.keys(KIND_NAMES).map(function (k) { return x.kinds[k]; })); })));
      content.appendChild(chartBlock("ratings", days, "👍 / 👎 pro Leitfadeneintrag", ["Eintrag", "👍", "👎"],
        d.ratings.map(function (x) { return [x.topic, x.up, x.down]; })));
      content.appendChild(el("section", { className: "wb-card", "aria-labelledby": "unanswered-h" }, [
        el("h2", { id: "unanswered-h", text: "Häufigste unbeantwortete Fragen" }),
        d.unanswered.length ? table("Fragen, die Lotse als „nicht geregelt“ oder „außerhalb“ beantwortet hat", ["Frage", "Anzahl", "Art", "zuletzt"],
          d.unanswered.map(function (q) {
            return el("tr", {}, [cell("td", q.question), cell("td", String(q.count)),
              cell("td", q.kinds.map(function (k) { return KIND_NAMES[k] || k; }).join(", ")), cell("td", when(q.last))]);
          })) : el("p", { text: "Keine." })
      ]));
    });
  }

  function chartBlock(name, days, title, headers, rows) {
    var id = uid("chart");
    return el("section", { className: "wb-card wb-chart", "aria-labelledby": id }, [
      el("h2", { id: id, text: title }),
      el("img", { src: "/trainer/api/charts/" + name + ".svg?days=" + days, alt: title + " als Diagramm; die Zahlen stehen in der Tabelle daneben." }),
      table(title + " – die Zahlen", headers, rows.map(function (row) {
        return el("tr", {}, row.map(function (v) { return cell("td", String(v)); }));
      }))
    ]);
  }

  // --- guides ----------------------------------------------------------------------------------

  function loadGuides() {
    var content = clear(document.getElementById("guides-content"));
    content.appendChild(el("p", { role: "status", text: "Wird geprüft …" }));
    api("GET", "guides").then(function (res) {
      clear(content);
      if (!res.ok) { content.appendChild(el("p", { className: "wb-error", text: res.data.error || "Laden ging nicht." })); return; }
      var g = res.data;
      var service = g.in_service;
      content.appendChild(el("h2", { text: "Im Einsatz" }));
      content.appendChild(el("dl", { className: "wb-meta wb-meta--wide" }, [
        meta("Version", service.version), meta("geladen", service.loaded_at ? when(service.loaded_at) : null),
        meta("Fehler", service.error || "keiner")
      ]));
      content.appendChild(el("h2", { text: "Prüfung wie make check-guides" }));
      content.appendChild(el("p", { className: g.check.ok ? "wb-ok" : "wb-error", text: g.check.summary }));
      if (g.check.problems.length) {
        content.appendChild(el("ul", { className: "wb-problems" },
          g.check.problems.map(function (p) { return el("li", {}, [el("code", { text: p.text })]); })));
      }
    });
  }

  // --- start -----------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    api("GET", "session").then(function (res) {
      if (!res.ok) return;
      state.csrf = res.data.csrf;
      state.writable = res.data.writable;
      document.getElementById("wb-user").textContent = "Angemeldet: " + res.data.trainer;
      window.addEventListener("hashchange", show);
      show();
    });
    document.getElementById("review-filters").addEventListener("submit", function (event) {
      event.preventDefault();
      loadConversations();
    });
    document.getElementById("run-form").addEventListener("submit", function (event) {
      event.preventDefault();
      startRun(document.getElementById("run-file").value);
    });
    document.getElementById("dash-form").addEventListener("submit", function (event) {
      event.preventDefault();
      loadDashboard();
    });
    document.getElementById("wb-signout").addEventListener("click", function () {
      api("POST", "signout", {}).then(function () { window.location.assign("/trainer/signin"); });
    });
  });
})();
