/* The trainers' sign-in: JSON to /trainer/api/signin, then the workbench. No library, no inline script. */
(function () {
  "use strict";
  var form = document.getElementById("signin");
  var error = document.getElementById("signin-error");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.textContent = "";
    var name = form.elements.name.value.trim();
    var password = form.elements.password.value;
    if (!name || !password) {
      error.textContent = "Bitte Name und Passwort eingeben.";
      return;
    }
    fetch("/trainer/api/signin", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ name: name, password: password })
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.ok) {
          window.location.assign("/trainer");
          return;
        }
        error.textContent = data.error || "Anmelden ging nicht (" + res.status + ").";
        form.elements.password.value = "";
        form.elements.password.focus();
      });
    }).catch(function () {
      error.textContent = "Der Server ist nicht erreichbar.";
    });
  });
})();
