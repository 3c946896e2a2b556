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
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = ((script && script.getAttribute("data-lotse-url")) ||
    (script && script.src ? new URL(script.src, location.href).origin : location.origin)).replace(/\/+$/, "");
  var TIMEOUT_MS = 5000;
  var KEY = "lotse:" + base + ":";
  var SVG = "http://www.w3.org/2000/svg";

  // the subtitle's instruction number (the placeholder in double braces) is filled in by the web
  // server from guides/sources.yml when it serves this file (bot/serving/web.py): none is written here
  var TEXT = {
    de: {
      title: "Lotse", subtitle: "Wer bearbeitet was? – Weisung {{instruction}}",
      intro: "Fragen Sie, wer einen Fall bearbeitet und wie das Verfahren ist – etwa: " +
        "„Wer bearbeitet Terminabsagen aus dem Kontaktformular?“",
      log: "Gesprächsverlauf", label: "Ihre Frage an Lotse", placeholder: "Frage eingeben …",
      send: "Senden", newConversation: "Neues Gespräch", callView: "Telefonansicht",
      hint: "/ oder Strg+K: zur Eingabe · Esc: Eingabe leeren",
      typing: "Lotse antwortet …", you: "Sie:", bot: "Lotse:",
      where: "Wo", newSince: "Neu seit",
      kinds: { routing: "Zuständigkeit", fact: "Auskunft", clarify: "Rückfrage",
        not_covered: "Nicht geregelt", out_of_scope: "Kein Thema der Leitfäden" },
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
      intro: "Ask who handles a case and what the procedure is – for example: " +
        "“Who handles appointment cancellations from the contact form?”",
      log: "Conversation", label: "Your question to Lotse", placeholder: "Type a question …",
      send: "Send", newConversation: "New conversation", callView: "Call view",
      hint: "/ or Ctrl+K: go to the input · Esc: clear it",
      typing: "Lotse is answering …", you: "You:", bot: "Lotse:",
      where: "Where", newSince: "New since",
      months: ["January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December"],
      kinds: { routing: "Who handles it", fact: "Information", clarify: "Question back",
        not_covered: "Not covered", out_of_scope: "Not a guide topic" },
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
  var modeButton = el("button", "lotse__tool");
  modeButton.type = "button";
  var newButton = el("button", "lotse__tool");
  newButton.type = "button";
  tools.append(modeButton, newButton);
  head.append(titles, tools);
  var log = el("div", "lotse__log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.tabIndex = 0;
  var status = el("div", "lotse__status");
  status.setAttribute("role", "status");
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
  var sendButton = el("button", "lotse__send");
  sendButton.type = "submit";
  row.append(input, sendButton);
  var hint = el("p", "lotse__hint");
  hint.id = uid + "-hint";
  input.setAttribute("aria-describedby", hint.id);
  form.append(label, row, hint);
  root.append(head, log, status, alertBox, form);
  mount.appendChild(root);

  function applyLabels() {
    root.lang = state.lang;
    root.className = "lotse lotse--" + state.mode;
    root.setAttribute("aria-label", t("title"));
    title.textContent = t("title");
    subtitle.textContent = t("subtitle");
    modeButton.textContent = t("callView");
    modeButton.setAttribute("aria-pressed", String(state.mode === "call"));
    newButton.textContent = t("newConversation");
    log.setAttribute("aria-label", t("log"));
    label.textContent = t("label");
    input.placeholder = t("placeholder");
    sendButton.textContent = t("send");
    hint.textContent = t("hint");
    if (state.pending) { status.textContent = t("typing"); }
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
    return at < 0 ? null : messages[at].custom.answer;
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

  function renderUser(turn) {
    var item = el("div", "lotse-msg lotse-msg--user");
    item.append(el("span", "lotse-sr", t("you")), el("p", "lotse-msg__text", turn.text));
    return item;
  }

  function renderButtons(buttons, active) {
    var box = el("div", "lotse-choices");
    buttons.forEach(function (b) {
      var button = el("button", "lotse-choice", b.title);
      button.type = "button";
      button.disabled = !active;
      button.addEventListener("click", function () {
        if (state.pending) { return; }
        send(String(b.payload), String(b.title));
      });
      box.appendChild(button);
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

  function renderCard(answer, lang, compact) {
    var card = el("article", "lotse-card lotse-card--" + answer.kind);
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
    top.appendChild(el("span", "lotse-card__kind", [kinds[answer.kind] || "", unitLabel].filter(Boolean).join(" · ")));
    // an entry valid for a short while only (payload new_since): staff who learnt the old rule notice;
    // plain text, so a screen reader reads it as it is shown
    var since = newSince(answer.new_since, lang);
    if (since) { top.appendChild(el("span", "lotse-new", since)); }
    card.appendChild(top);

    lines(answer.lead).forEach(function (line) { card.appendChild(el("p", "lotse-card__pre", line)); });
    card.appendChild(el("p", "lotse-card__verdict", answer.verdict || ""));

    var facts = el("div", "lotse-card__facts");
    if (!compact && answer.where) {
      var where = el("p", "lotse-card__where");
      where.append(el("span", "lotse-card__label", t("where", lang) + ": "), document.createTextNode(answer.where));
      facts.appendChild(where);
    }
    if (!compact && answer.validity) { facts.appendChild(el("p", "lotse-card__validity", answer.validity)); }
    if (answer.source && answer.source.text) { facts.appendChild(el("p", "lotse-card__source", answer.source.text)); }
    if (facts.childNodes.length) { card.appendChild(facts); }

    var detail = compact ? [] : lines(answer.detail);
    if (detail.length) {
      var box = el("div", "lotse-card__detail");
      detail.forEach(function (line) { box.appendChild(el("p", null, line)); });
      card.appendChild(box);
    }
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
    var up = el("button", "lotse-feedback__button");
    up.type = "button";
    up.setAttribute("aria-label", t("up", lang));
    up.title = t("up", lang);
    up.appendChild(thumb(false));
    var down = el("button", "lotse-feedback__button");
    down.type = "button";
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
    item.appendChild(el("span", "lotse-sr", t("bot")));
    var messages = Array.isArray(turn.messages) ? turn.messages : [];
    var answer = answerOf(messages);
    var texts = textsOf(messages);
    var lang = answer && TEXT[answer.lang] ? answer.lang : turn.lang || state.lang;
    var compact = state.mode === "call";
    if (answer && answer.kind === "clarify") {
      renderQuestion(answer, item, isLast);
    } else if (answer) {
      item.appendChild(renderCard(answer, lang, compact));
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

  function renderAll() {
    log.textContent = "";
    if (!state.turns.length) { log.appendChild(el("p", "lotse__intro", t("intro"))); }
    var lastBot = -1;
    state.turns.forEach(function (turn, i) { if (turn.role === "bot") { lastBot = i; } });
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
    var retry = el("button", "lotse__retry", t("retry"));
    retry.type = "button";
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
    var isClick = message !== shown;
    var question = isClick && state.lastQuestion ? state.lastQuestion + " → " + shown : shown;
    var hadFocus = root.contains(document.activeElement);
    var bubble = renderUser({ text: shown });
    var intro = log.querySelector(".lotse__intro");
    if (intro) { intro.remove(); }
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
  input.addEventListener("input", saveDraft);
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
      input.focus();
    }
  });

  applyLabels();
  renderAll();
})();
