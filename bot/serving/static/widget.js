/* Lotse chat widget – plain JavaScript, no dependencies, nothing loaded from elsewhere.
 *
 * Embed: <script src="{bot address}/widget.js" defer></script> (optionally
 * data-lotse-url="{bot address}" and data-mode="call"); it mounts into an element with
 * the attribute data-lotse-widget, or appends one to <body>. Every text from the bot is
 * rendered with textContent, never as HTML.
 *
 * An answer is rendered from its payload (custom.answer) alone: verdict, lead, detail, validity,
 * source text and the unit's code and label all come from the bot, so the widget parses no reply
 * text and knows no unit by name (a unit declared in guides/vocabulary.yml shows as it is).
 * Type-ahead (/api/suggest), the start screen (/api/start), the facts a question asked for
 * (payload `facts`) and the notice saying what Lotse is come from the web server too.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = ((script && script.getAttribute("data-lotse-url")) ||
    (script && script.src ? new URL(script.src, location.href).origin : location.origin)).replace(/\/+$/, "");
  var TIMEOUT_MS = 5000;
  var SUGGEST_MIN = 3; // type-ahead from the third character
  var SUGGEST_DELAY_MS = 60; // one request per pause in typing, not per key
  var KEY = "lotse:" + base + ":";
  var SVG = "http://www.w3.org/2000/svg";

  // the subtitle's instruction number and the notice (placeholders in double braces) are filled in by
  // the web server from guides/sources.yml and domain.yml when it serves this file
  // (bot/serving/web.py): no number and no wording of the notice is written here
  var TEXT = {
    de: {
      title: "Lotse", subtitle: "Wer bearbeitet was? – Weisung {{instruction}}",
      notice: "{{ai_notice_de}}",
      intro: "Fragen Sie, wer einen Fall bearbeitet und wie das Verfahren ist – etwa: " +
        "„Wer bearbeitet Terminabsagen aus dem Kontaktformular?“",
      start: "Häufig gefragt",
      log: "Gesprächsverlauf", label: "Ihre Frage an Lotse", placeholder: "Frage eingeben …",
      send: "Senden", newConversation: "Neues Gespräch", callView: "Telefonansicht",
      hint: "/ oder Strg+K: zur Eingabe · ↓↑ und Enter: Vorschlag fragen · Esc: Eingabe leeren",
      callHint: "Enter bei leerer Eingabe: ganze letzte Antwort",
      suggestions: "Vorschläge", topic: "Thema",
      suggestCount: function (n) { return n === 1 ? "1 Vorschlag" : n + " Vorschläge"; },
      typing: "Lotse antwortet …", you: "Sie:", bot: "Lotse:",
      where: "Wo", newSince: "Neu seit",
      kinds: { routing: "Zuständigkeit", fact: "Auskunft", clarify: "Rückfrage",
        not_covered: "Nicht geregelt", out_of_scope: "Kein Thema der Leitfäden", unsure: "Nicht sicher verstanden" },
      more: "Ganze Antwort", less: "Nur das Wichtigste",
      copy: "Für Vermerk kopieren", copied: "Kopiert",
      copiedNote: "Antwort mit Erläuterung und Quelle in die Zwischenablage kopiert.",
      copyFailed: "Kopieren ging nicht – bitte den Text markieren und kopieren.",
      sourceLink: "Quelle öffnen (neues Fenster)",
      helpful: "Hilfreich?", up: "Ja, hilfreich", down: "Nein, nicht hilfreich",
      whatWrong: "Was war falsch?", commentHint: "In einer Zeile (optional)", sendFeedback: "Absenden",
      thanks: "Danke für Ihre Rückmeldung.", feedbackFailed: "Rückmeldung nicht gespeichert – bitte erneut senden.",
      failed: "Lotse antwortet gerade nicht. Ihre Frage steht noch im Eingabefeld.",
      timeout: "Lotse hat nicht innerhalb von 5 Sekunden geantwortet. Ihre Frage steht noch im Eingabefeld.",
      tooMany: "Zu viele Fragen in kurzer Zeit – bitte einen Moment warten.",
      retry: "Erneut senden", notSent: "(nicht gesendet)"
    },
    en: {
      title: "Lotse", subtitle: "Who handles what? – instruction {{instruction}}",
      notice: "{{ai_notice_en}}",
      intro: "Ask who handles a case and what the procedure is – for example: " +
        "“Who handles appointment cancellations from the contact form?”",
      start: "Asked most often",
      log: "Conversation", label: "Your question to Lotse", placeholder: "Type a question …",
      send: "Send", newConversation: "New conversation", callView: "Call view",
      hint: "/ or Ctrl+K: go to the input · ↓↑ and Enter: ask a suggestion · Esc: clear it",
      callHint: "Enter in the empty input: the whole last answer",
      suggestions: "Suggestions", topic: "Topic",
      suggestCount: function (n) { return n === 1 ? "1 suggestion" : n + " suggestions"; },
      typing: "Lotse is answering …", you: "You:", bot: "Lotse:",
      where: "Where", newSince: "New since",
      months: ["January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December"],
      kinds: { routing: "Who handles it", fact: "Information", clarify: "Question back",
        not_covered: "Not covered", out_of_scope: "Not a guide topic", unsure: "Not understood for sure" },
      more: "Full answer", less: "Just the essentials",
      copy: "Copy for file note", copied: "Copied",
      copiedNote: "Answer with detail and source copied to the clipboard.",
      copyFailed: "Copying did not work – please select the text and copy it.",
      sourceLink: "Open the source (new window)",
      helpful: "Helpful?", up: "Yes, helpful", down: "No, not helpful",
      whatWrong: "What was wrong?", commentHint: "One line (optional)", sendFeedback: "Submit",
      thanks: "Thank you for your feedback.", feedbackFailed: "Feedback not stored – please submit again.",
      failed: "Lotse is not answering right now. Your question is still in the input field.",
      timeout: "Lotse did not answer within 5 seconds. Your question is still in the input field.",
      tooMany: "Too many questions at once – please wait a moment.",
      retry: "Send again", notSent: "(not sent)"
    }
  };

  // --- session state (survives a reload of the tab, not the closing of it) ----------------------

  function load(name, fallback) {
    try {
      var raw = sessionStorage.getItem(KEY + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) { return fallback; }
  }
  function save(name, value) {
    try { sessionStorage.setItem(KEY + name, JSON.stringify(value)); } catch (e) { /* storage off: keep in memory */ }
  }
  function newSender() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var state = {
    sender: load("sender", null) || newSender(),
    turns: load("turns", []),
    lang: load("lang", (document.documentElement.lang || "de").slice(0, 2) === "en" ? "en" : "de"),
    draft: load("draft", ""),
    lastQuestion: load("lastQuestion", ""),
    mode: script && script.getAttribute("data-mode") === "call" ? "call" : "chat",
    pending: false
  };
  save("sender", state.sender);
  function t(key, lang) { return TEXT[lang || state.lang][key]; }

  // --- DOM helpers --------------------------------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function button(cls, text) {
    var b = el("button", cls, text);
    b.type = "button";
    return b;
  }
  function thumb(down) {
    // Lucide "thumbs-up" (ISC licence); the down variant is the same icon turned by CSS
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "lotse-icon" + (down ? " lotse-icon--down" : ""));
    ["M7 10v12", "M15 5.88 14 10h5.83a2 2 0 0 1 1.92 2.56l-2.33 8A2 2 0 0 1 17.5 22H4a2 2 0 0 1-2-2v-8" +
      "a2 2 0 0 1 2-2h2.76a2 2 0 0 0 1.79-1.11L12 2a3.13 3.13 0 0 1 3 3.88Z"].forEach(function (d) {
      var path = document.createElementNS(SVG, "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    });
    return svg;
  }
  function lines(text) {
    // the payload's lead and detail: lines joined with "\n", each shown as a paragraph
    return typeof text === "string" ? text.split("\n").filter(function (line) { return line.trim() !== ""; }) : [];
  }

  // --- the widget's frame -------------------------------------------------------------------------

  var mount = document.querySelector("[data-lotse-widget]");
  if (!mount) { mount = el("div"); document.body.appendChild(mount); }
  if (!document.querySelector('link[href$="widget.css"]')) {
    var css = el("link");
    css.rel = "stylesheet";
    css.href = base + "/widget.css";
    document.head.appendChild(css);
  }
  var uid = "lotse-" + Math.random().toString(36).slice(2, 8);
  var root = el("section", "lotse");
  var head = el("header", "lotse__head");
  var titles = el("div", "lotse__titles");
  var title = el("h2", "lotse__title");
  var subtitle = el("p", "lotse__subtitle");
  titles.append(title, subtitle);
  var tools = el("div", "lotse__tools");
  var modeButton = button("lotse__tool");
  var newButton = button("lotse__tool");
  tools.append(modeButton, newButton);
  head.append(titles, tools);
  // what Lotse is, at first sight (the text is domain.yml's utter_ai_notice)
  var notice = el("p", "lotse__notice");
  notice.id = uid + "-notice";
  var log = el("div", "lotse__log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-describedby", notice.id);
  log.tabIndex = 0;
  var status = el("div", "lotse__status");
  status.setAttribute("role", "status");
  var announcer = el("div", "lotse-sr"); // copy results and suggestion counts, for screen readers
  announcer.setAttribute("role", "status");
  var alertBox = el("div", "lotse__alert");
  alertBox.setAttribute("role", "alert");
  var form = el("form", "lotse__form");
  form.noValidate = true;
  var label = el("label", "lotse__label");
  label.htmlFor = uid + "-q";
  var row = el("div", "lotse__row");
  var input = el("input", "lotse__input");
  input.id = uid + "-q";
  input.type = "text";
  input.autocomplete = "off";
  input.maxLength = 2000;
  input.value = state.draft;
  // type-ahead: the ARIA 1.2 combobox pattern (input with a listbox popup, active option by id)
  var list = el("ul", "lotse__suggest");
  list.id = uid + "-list";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  var sendButton = el("button", "lotse__send");
  sendButton.type = "submit";
  row.append(input, sendButton);
  var hint = el("p", "lotse__hint");
  hint.id = uid + "-hint";
  input.setAttribute("aria-describedby", hint.id);
  form.append(label, row, list, hint);
  root.append(head, notice, log, status, announcer, alertBox, form);
  mount.appendChild(root);

  function applyLabels() {
    root.lang = state.lang;
    root.className = "lotse lotse--" + state.mode;
    root.setAttribute("aria-label", t("title"));
    title.textContent = t("title");
    subtitle.textContent = t("subtitle");
    notice.textContent = t("notice");
    notice.hidden = !t("notice");
    modeButton.textContent = t("callView");
    modeButton.setAttribute("aria-pressed", String(state.mode === "call"));
    newButton.textContent = t("newConversation");
    log.setAttribute("aria-label", t("log"));
    label.textContent = t("label");
    input.placeholder = t("placeholder");
    list.setAttribute("aria-label", t("suggestions"));
    sendButton.textContent = t("send");
    hint.textContent = state.mode === "call" ? t("hint") + " · " + t("callHint") : t("hint");
    if (state.pending) { status.textContent = t("typing"); }
  }

  function announce(text) {
    // cleared first, so the same words said twice are announced twice
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // --- rendering turns ----------------------------------------------------------------------------

  function answerAt(messages) {
    for (var i = 0; i < messages.length; i++) {
      var custom = messages[i] && messages[i].custom;
      if (custom && custom.answer && typeof custom.answer === "object") { return i; }
    }
    return -1;
  }
  function answerOf(messages) {
    var at = answerAt(messages);
    if (at < 0) { return null; }
    var custom = messages[at].custom;
    // `understood: false` beside the answer counts as in it
    return custom.understood === false && !("understood" in custom.answer) ?
      Object.assign({}, custom.answer, { understood: false }) : custom.answer;
  }
  function textsOf(messages) {
    // the text messages besides the answer: Rasa sends an answer's own text (and buttons) as the
    // message right before its payload; what is left are notes such as the redaction notice
    var at = answerAt(messages);
    return messages.filter(function (m, i) {
      if (!m || typeof m.text !== "string" || !m.text) { return false; }
      return at < 0 || !(i === at || (i === at - 1 && !m.custom));
    });
  }
  function unsure(answer) {
    // a message Lotse could not place (payload understood: false), or its "Meinten Sie …?": a neutral
    // card – the red one is only for what is clearly off-topic
    return (answer.kind === "out_of_scope" && answer.understood === false) ||
      (answer.kind === "clarify" && answer.asks === "topic");
  }

  function renderUser(turn) {
    var item = el("div", "lotse-msg lotse-msg--user");
    item.append(el("span", "lotse-sr", t("you")), el("p", "lotse-msg__text", turn.text));
    return item;
  }

  function renderButtons(buttons, active) {
    var box = el("div", "lotse-choices");
    buttons.forEach(function (b) {
      var choice = button("lotse-choice", b.title);
      choice.disabled = !active;
      choice.addEventListener("click", function () {
        if (state.pending) { return; }
        send(String(b.payload), String(b.title));
      });
      box.appendChild(choice);
    });
    return box;
  }

  function newSince(value, lang) {
    // "Neu seit 01.07.2025" / "New since 1 July 2025" from the payload's ISO date; null when not new
    var day = typeof value === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
    if (!day) { return null; }
    var months = t("months", lang);
    var text = months ? Number(day[3]) + " " + months[Number(day[2]) - 1] + " " + day[1]
      : day[3] + "." + day[2] + "." + day[1];
    return t("newSince", lang) + " " + text;
  }

  function validityOf(answer) {
    // one date per card: the validity of what the verdict states (payload statement_validity)
    return "statement_validity" in answer ? answer.statement_validity : answer.validity;
  }

  function renderSource(answer, lang) {
    var line = el("p", "lotse-card__source");
    if (typeof answer.topic === "string" && /^[a-z0-9_]{1,100}$/.test(answer.topic)) {
      var link = el("a", "lotse-card__source-link", answer.source.text);
      link.href = base + "/source/" + answer.topic + "?lang=" + lang;
      link.target = "_blank";
      link.rel = "noopener";
      link.title = t("sourceLink", lang);
      line.appendChild(link);
    } else {
      line.textContent = answer.source.text;
    }
    return line;
  }

  function copyText(text) {
    // the clipboard API where the page is a secure context, else the older copy command
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    return new Promise(function (resolve, reject) {
      var back = document.activeElement;
      var area = el("textarea", "lotse-sr");
      area.value = text;
      area.setAttribute("readonly", "");
      area.setAttribute("aria-hidden", "true");
      root.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (back && back.focus) { back.focus(); }
      if (ok) { resolve(); } else { reject(new Error("copy")); }
    });
  }

  function renderCopy(answer, lang) {
    // verdict, detail and source as plain text: for a note in the customer file or a reply
    var copy = button("lotse-card__copy", t("copy", lang));
    copy.addEventListener("click", function () {
      var text = [answer.verdict, answer.detail, answer.source && answer.source.text]
        .filter(function (part) { return typeof part === "string" && part.trim(); }).join("\n");
      copyText(text).then(function () {
        copy.textContent = t("copied", lang) + " ✓";
        announce(t("copiedNote", lang));
        setTimeout(function () { copy.textContent = t("copy", lang); }, 2500);
      }, function () { announce(t("copyFailed", lang)); });
    });
    return copy;
  }

  function renderCard(turn, answer, lang, compact, active) {
    var neutral = unsure(answer);
    var card = el("article", "lotse-card lotse-card--" + (neutral ? "unsure" : answer.kind));
    var top = el("div", "lotse-card__top");
    var unit = typeof answer.unit === "string" && answer.unit ? answer.unit : "";
    var unitLabel = typeof answer.unit_label === "string" ? answer.unit_label : "";
    if (unit) {
      // any unit the guides declare: one badge style, the code as the bot sends it
      card.setAttribute("data-unit", unit);
      var badge = el("span", "lotse-badge", unit);
      badge.setAttribute("data-unit", unit);
      if (unitLabel) { badge.title = unitLabel; }
      top.appendChild(badge);
    }
    var kinds = t("kinds", lang);
    var kind = neutral ? kinds.unsure : kinds[answer.kind] || "";
    top.appendChild(el("span", "lotse-card__kind", [kind, unitLabel].filter(Boolean).join(" · ")));
    // an entry valid for a short while only (payload new_since): staff who learnt the old rule notice;
    // plain text, so a screen reader reads it as it is shown
    var since = newSince(answer.new_since, lang);
    if (since) { top.appendChild(el("span", "lotse-new", since)); }
    card.appendChild(top);

    lines(answer.lead).forEach(function (line) { card.appendChild(el("p", "lotse-card__pre", line)); });
    card.appendChild(el("p", "lotse-card__verdict", answer.verdict || ""));
    if (neutral) {
      var options = Array.isArray(answer.options) ? answer.options : [];
      if (options.length) { card.appendChild(renderButtons(options, active)); }
      return card;
    }

    var short = compact && !turn.expanded;
    var facts = el("div", "lotse-card__facts");
    if (short) {
      // the call view: the one or two facts the question asked for (payload facts: date, deadline, form, where)
      (Array.isArray(answer.facts) ? answer.facts : []).forEach(function (fact) {
        if (!fact || typeof fact.value !== "string") { return; }
        var p = el("p", "lotse-card__fact");
        if (fact.label) { p.appendChild(el("span", "lotse-card__label", fact.label + ": ")); }
        p.appendChild(document.createTextNode(fact.value));
        facts.appendChild(p);
      });
    } else {
      if (answer.where) {
        var where = el("p", "lotse-card__where");
        where.append(el("span", "lotse-card__label", t("where", lang) + ": "), document.createTextNode(answer.where));
        facts.appendChild(where);
      }
      var validity = validityOf(answer);
      if (validity) { facts.appendChild(el("p", "lotse-card__validity", validity)); }
    }
    if (answer.source && answer.source.text) { facts.appendChild(renderSource(answer, lang)); }
    if (facts.childNodes.length) { card.appendChild(facts); }

    var detail = short ? [] : lines(answer.detail);
    if (detail.length) {
      var box = el("div", "lotse-card__detail");
      box.id = uid + "-d" + turn.id;
      detail.forEach(function (line) { box.appendChild(el("p", null, line)); });
      card.appendChild(box);
    }
    var actions = el("div", "lotse-card__actions");
    if (compact && (answer.detail || answer.where || validityOf(answer))) {
      var toggle = button("lotse-card__more", short ? t("more", lang) : t("less", lang));
      toggle.setAttribute("aria-expanded", String(!short));
      toggle.addEventListener("click", function () { expand(turn, !turn.expanded, true); });
      actions.appendChild(toggle);
    }
    actions.appendChild(renderCopy(answer, lang));
    card.appendChild(actions);
    return card;
  }

  function renderQuestion(answer, item, active) {
    // a clarifying question: its question and one button per option, all from the payload
    item.appendChild(el("p", "lotse-msg__text", answer.verdict || ""));
    var options = Array.isArray(answer.options) ? answer.options : [];
    if (options.length) { item.appendChild(renderButtons(options, active)); }
  }

  function renderFeedback(turn, answer, lang) {
    var box = el("div", "lotse-feedback");
    var fb = turn.feedback || {};
    if (fb.sent) {
      box.appendChild(el("p", "lotse-feedback__thanks", t("thanks", lang)));
      return box;
    }
    var ask = el("span", "lotse-feedback__ask", t("helpful", lang));
    var up = button("lotse-feedback__button");
    up.setAttribute("aria-label", t("up", lang));
    up.title = t("up", lang);
    up.appendChild(thumb(false));
    var down = button("lotse-feedback__button");
    down.setAttribute("aria-label", t("down", lang));
    down.title = t("down", lang);
    down.appendChild(thumb(true));
    up.setAttribute("aria-pressed", String(fb.rating === 1));
    down.setAttribute("aria-pressed", String(fb.rating === -1));
    box.append(ask, up, down);

    var sending = false; // a double click must not store the rating twice
    function submit(rating, comment, errorLine) {
      if (sending) { return; }
      sending = true;
      postFeedback(turn, answer, rating, comment).then(function (ok) {
        sending = false;
        if (ok) {
          turn.feedback = { rating: rating, sent: true };
          persist();
          box.replaceWith(renderFeedback(turn, answer, lang));
        } else {
          errorLine.textContent = t("feedbackFailed", lang);
        }
      });
    }
    var error = el("p", "lotse-feedback__error");
    error.setAttribute("role", "alert");
    up.addEventListener("click", function () { submit(1, null, error); });
    down.addEventListener("click", function () {
      if (box.querySelector("form")) { box.querySelector("input").focus(); return; }
      down.setAttribute("aria-pressed", "true");
      var f = el("form", "lotse-feedback__form");
      var id = uid + "-c" + turn.id;
      var l = el("label", "lotse-feedback__label", t("whatWrong", lang));
      l.htmlFor = id;
      var c = el("input", "lotse-feedback__input");
      c.id = id;
      c.type = "text";
      c.maxLength = 500;
      c.placeholder = t("commentHint", lang);
      var s = el("button", "lotse-feedback__submit", t("sendFeedback", lang));
      s.type = "submit";
      f.append(l, c, s);
      f.addEventListener("submit", function (e) {
        e.preventDefault();
        submit(-1, c.value.trim() || null, error);
      });
      box.append(f);
      c.focus();
    });
    box.appendChild(error);
    return box;
  }

  function renderBot(turn, isLast) {
    var item = el("div", "lotse-msg lotse-msg--bot");
    item.setAttribute("data-turn", String(turn.id));
    item.appendChild(el("span", "lotse-sr", t("bot")));
    var messages = Array.isArray(turn.messages) ? turn.messages : [];
    var answer = answerOf(messages);
    var texts = textsOf(messages);
    var lang = answer && TEXT[answer.lang] ? answer.lang : turn.lang || state.lang;
    var compact = state.mode === "call";
    if (answer && answer.kind === "clarify" && !unsure(answer)) {
      renderQuestion(answer, item, isLast);
    } else if (answer) {
      item.appendChild(renderCard(turn, answer, lang, compact, isLast));
    }
    // a reply without a payload (help, a greeting) is its text; with one, other texts are notes
    texts.forEach(function (m, index) {
      var note = index > 0 || Boolean(answer);
      var text = compact && !m.buttons ? m.text.split("\n")[0] : m.text;
      var p = el("p", note ? "lotse-msg__note" : "lotse-msg__text", text);
      item.appendChild(p);
      if (Array.isArray(m.buttons) && m.buttons.length) { item.appendChild(renderButtons(m.buttons, isLast)); }
    });
    if (answer && answer.kind !== "clarify") { item.appendChild(renderFeedback(turn, answer, lang)); }
    return item;
  }

  function lastBotIndex() {
    var last = -1;
    state.turns.forEach(function (turn, i) { if (turn.role === "bot") { last = i; } });
    return last;
  }

  function expand(turn, open, focusToggle) {
    // the call view's card, shown whole (detail, where, validity) or shrunk to verdict and facts again
    turn.expanded = open;
    persist();
    var node = log.querySelector('[data-turn="' + turn.id + '"]');
    if (!node) { return; }
    var fresh = renderBot(turn, state.turns.indexOf(turn) === lastBotIndex());
    node.replaceWith(fresh);
    if (focusToggle) {
      var toggle = fresh.querySelector(".lotse-card__more");
      if (toggle) { toggle.focus(); }
    }
  }

  function renderStart() {
    // the start screen: the questions asked most (the web server's /api/start), one button each
    var box = el("div", "lotse-start");
    box.setAttribute("role", "group");
    var heading = el("p", "lotse-start__title", t("start"));
    heading.id = uid + "-start";
    box.setAttribute("aria-labelledby", heading.id);
    box.appendChild(heading);
    var lang = state.lang;
    fetch(base + "/api/start?lang=" + lang, { credentials: "omit" }).then(function (res) {
      return res.ok ? res.json() : { questions: [] };
    }).then(function (data) {
      var questions = data && Array.isArray(data.questions) ? data.questions : [];
      if (!questions.length || !box.isConnected) { box.remove(); return; }
      var choices = el("div", "lotse-start__questions");
      questions.forEach(function (q) {
        if (!q || typeof q.ask !== "string") { return; }
        var b = button("lotse-start__question", q.text);
        b.addEventListener("click", function () { if (!state.pending) { send(q.ask, q.ask); } });
        choices.appendChild(b);
      });
      box.appendChild(choices);
    }, function () { box.remove(); });
    return box;
  }

  function renderAll() {
    log.textContent = "";
    if (!state.turns.length) {
      log.appendChild(el("p", "lotse__intro", t("intro")));
      log.appendChild(renderStart());
    }
    var lastBot = lastBotIndex();
    state.turns.forEach(function (turn, i) {
      log.appendChild(turn.role === "user" ? renderUser(turn) : renderBot(turn, i === lastBot));
    });
    scrollDown();
  }
  function scrollDown() { log.scrollTop = log.scrollHeight; }
  function persist() {
    save("turns", state.turns);
    save("lang", state.lang);
    save("lastQuestion", state.lastQuestion);
  }

  // --- type-ahead ---------------------------------------------------------------------------------

  var suggest = { items: [], active: -1, seq: 0, timer: null };

  function closeList() {
    suggest.seq++; // an answer still on its way is not shown any more
    clearTimeout(suggest.timer);
    suggest.items = [];
    suggest.active = -1;
    list.textContent = "";
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function setActive(index) {
    suggest.active = index;
    Array.prototype.forEach.call(list.children, function (option, i) {
      option.setAttribute("aria-selected", String(i === index));
    });
    if (index >= 0 && list.children[index]) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function showList(items) {
    list.textContent = "";
    suggest.items = items;
    suggest.active = -1;
    items.forEach(function (item, i) {
      var option = el("li", "lotse__option lotse__option--" + item.kind);
      option.id = uid + "-o" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      if (item.kind === "topic") { option.appendChild(el("span", "lotse__option-kind", t("topic") + ": ")); }
      option.appendChild(document.createTextNode(item.text));
      option.addEventListener("mousedown", function (e) { e.preventDefault(); }); // the input keeps the focus
      option.addEventListener("click", function () { pick(i); });
      list.appendChild(option);
    });
    list.hidden = !items.length;
    input.setAttribute("aria-expanded", String(items.length > 0));
    input.removeAttribute("aria-activedescendant");
    if (items.length) { announce(t("suggestCount")(items.length)); }
  }

  function requestSuggestions() {
    var typed = input.value;
    clearTimeout(suggest.timer);
    if (typed.trim().length < SUGGEST_MIN || state.pending) { closeList(); return; }
    var seq = ++suggest.seq;
    suggest.timer = setTimeout(function () {
      fetch(base + "/api/suggest?lang=" + state.lang + "&q=" + encodeURIComponent(typed), { credentials: "omit" })
        .then(function (res) { return res.ok ? res.json() : { suggestions: [] }; })
        .then(function (data) {
          if (seq !== suggest.seq || input.value !== typed || document.activeElement !== input) { return; }
          showList(data && Array.isArray(data.suggestions) ? data.suggestions.filter(function (s) {
            return s && typeof s.text === "string" && typeof s.ask === "string";
          }) : []);
        }, function () { /* no suggestions: typing goes on as before */ });
    }, SUGGEST_DELAY_MS);
  }

  function pick(index) {
    // a suggestion is asked at once, as if it had been typed
    var item = suggest.items[index];
    if (!item || state.pending) { return; }
    closeList();
    input.value = "";
    saveDraft();
    send(item.ask, item.ask);
  }

  input.addEventListener("keydown", function (e) {
    var open = !list.hidden && suggest.items.length > 0;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) { requestSuggestions(); return; }
      var n = suggest.items.length;
      var next = e.key === "ArrowDown" ? suggest.active + 1 : suggest.active - 1;
      setActive(next >= n ? 0 : next < 0 ? n - 1 : next);
    } else if (e.key === "Enter" && open && suggest.active >= 0) {
      e.preventDefault();
      pick(suggest.active);
    } else if (e.key === "Enter" && state.mode === "call" && !input.value.trim()) {
      // in the call view an Enter in the empty input shows the last answer whole
      e.preventDefault();
      var i = lastBotIndex();
      var turn = i >= 0 ? state.turns[i] : null;
      if (turn && !turn.expanded) { expand(turn, true, false); scrollDown(); }
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      e.stopPropagation(); // Esc closes the list first; a second Esc clears the input
      closeList();
    } else if (e.key === "Tab") {
      closeList();
    }
  });
  input.addEventListener("blur", function () { setTimeout(function () { if (document.activeElement !== input) { closeList(); } }, 150); });

  // --- talking to the bot -------------------------------------------------------------------------

  var failed = null; // {message, shown, bubble} of a question that got no answer

  function clearFailure() {
    alertBox.textContent = "";
    if (failed && failed.bubble) { failed.bubble.remove(); }
    failed = null;
  }

  function fail(reason, message, shown, bubble) {
    failed = { message: message, shown: shown, bubble: bubble };
    bubble.classList.add("lotse-msg--failed");
    bubble.appendChild(el("span", "lotse-msg__failed", t("notSent")));
    if (message === shown) { input.value = shown; saveDraft(); }
    alertBox.textContent = "";
    var p = el("p", "lotse__alert-text", t(reason));
    var retry = button("lotse__retry", t("retry"));
    retry.addEventListener("click", function () {
      var again = failed;
      if (!again) { return; }
      if (again.message === again.shown) { input.value = ""; saveDraft(); }
      send(again.message, again.shown);
    });
    alertBox.append(p, retry);
    scrollDown(); // the alert takes room from the log: keep the failed question in sight
  }

  function send(message, shown) {
    if (state.pending) { return; }
    clearFailure();
    closeList();
    var isClick = message !== shown;
    var question = isClick && state.lastQuestion ? state.lastQuestion + " → " + shown : shown;
    var hadFocus = root.contains(document.activeElement);
    var bubble = renderUser({ text: shown });
    Array.prototype.forEach.call(log.querySelectorAll(".lotse__intro, .lotse-start"), function (n) { n.remove(); });
    log.appendChild(bubble);
    scrollDown();
    state.pending = true;
    status.textContent = "";
    status.appendChild(el("span", "lotse__typing", t("typing")));
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    fetch(base + "/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: message }),
      signal: controller.signal,
      credentials: "omit"
    }).then(function (res) {
      if (res.status === 429) { throw new Error("tooMany"); }
      if (!res.ok) { throw new Error("failed"); }
      return res.json();
    }).then(function (messages) {
      if (!Array.isArray(messages)) { throw new Error("failed"); }
      var answer = answerOf(messages);
      if (answer && TEXT[answer.lang]) { state.lang = answer.lang; }
      if (!isClick) { state.lastQuestion = shown; }
      var id = Date.now();
      var turn = { id: id + 1, role: "bot", messages: messages, question: question, lang: state.lang };
      state.turns.push({ id: id, role: "user", text: shown }, turn);
      persist();
      finish();
      applyLabels();
      // only the new reply is added, so a screen reader announces just that
      Array.prototype.forEach.call(log.querySelectorAll(".lotse-choice"), function (b) { b.disabled = true; });
      log.appendChild(renderBot(turn, true));
      scrollDown();
      if (hadFocus && !root.contains(document.activeElement)) { input.focus(); }
    }).catch(function (error) {
      finish();
      var reason = error && error.name === "AbortError" ? "timeout" :
        error && error.message === "tooMany" ? "tooMany" : "failed";
      fail(reason, message, shown, bubble);
    });
    function finish() {
      clearTimeout(timer);
      state.pending = false;
      status.textContent = "";
    }
  }

  function postFeedback(turn, answer, rating, comment) {
    return fetch(base + "/api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "omit",
      body: JSON.stringify({
        rating: rating, comment: comment, question: turn.question || "", kind: answer.kind,
        topic: answer.topic || null, unit: answer.unit || null, lang: answer.lang || null,
        guides_version: answer.guides_version || null
      })
    }).then(function (res) { return res.status === 201; }, function () { return false; });
  }

  function saveDraft() { save("draft", input.value); }

  // --- events -------------------------------------------------------------------------------------

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text || state.pending) { return; }
    input.value = "";
    saveDraft();
    send(text, text);
  });
  input.addEventListener("input", function () { saveDraft(); requestSuggestions(); });
  newButton.addEventListener("click", function () {
    clearFailure();
    state.sender = newSender();
    state.turns = [];
    state.lastQuestion = "";
    save("sender", state.sender);
    persist();
    renderAll();
    input.focus();
  });
  modeButton.addEventListener("click", function () {
    state.mode = state.mode === "call" ? "chat" : "call";
    applyLabels();
    renderAll();
  });
  function editable(node) {
    return node && (node.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(node.tagName));
  }
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "k" || e.key === "K")) {
      e.preventDefault();
      input.focus();
      input.select();
    } else if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !editable(e.target)) {
      e.preventDefault();
      input.focus();
    } else if (e.key === "Escape" && (e.target === input || root.contains(e.target) || e.target === document.body)) {
      if (e.target !== input && editable(e.target)) { e.target.value = ""; return; }
      input.value = "";
      saveDraft();
      closeList();
      input.focus();
    }
  });

  applyLabels();
  renderAll();
})();
